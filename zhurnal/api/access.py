"""Who may reach an API token: its owner only (to revoke it). Missing and not-yours are the
same 404 (see docs/permissions.md). The API's requests themselves are authorised by the
token's secret (`api.auth`), then reach every object through the apps' chokepoints."""

from __future__ import annotations

from zhurnal.accounts.models import User
from zhurnal.api.models import ApiToken
from zhurnal.core.access import ensure_signed_in, first_or_404


def api_token_for_user(user: User, token_id: int) -> ApiToken:
    """One of the user's own API tokens, else 404."""
    ensure_signed_in(user)
    return first_or_404(ApiToken.objects.filter(pk=token_id, user=user))
