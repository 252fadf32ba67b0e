#!/usr/bin/env python
from zhurnal.__main__ import main

if __name__ == "__main__":
    main()
