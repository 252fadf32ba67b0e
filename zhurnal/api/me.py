from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from zhurnal.api.auth import api_user
from zhurnal.api.schemas import ErrorOut, MeOut, RoleOut
from zhurnal.people.access import user_grants

router = Router(tags=["me"])


@router.get("/me", response={200: MeOut, 401: ErrorOut, 429: ErrorOut})
def me(request: HttpRequest) -> MeOut:
    """Who I am and which roles I hold, each with its scope."""
    user = api_user(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        language=user.language,
        roles=[
            RoleOut(
                role=grant.role,
                label=grant.label,
                school_id=grant.school_id,
                municipality_id=grant.municipality_id,
                class_group_id=grant.class_group_id,
                scope=grant.scope_name,
            )
            for grant in user_grants(user)
        ],
    )
