from django.conf import settings

from .roles import user_role_names


def roles(request):
    return {"user_roles": user_role_names(request.user), "SHOP_NAME": settings.SHOP_NAME}


def notifications(request):
    """The bell's unread count: one indexed query per page for a signed-in user.

    Counted once per request: panels rendered with the request (order and job pages) run the context
    processors again.
    """
    if not request.user.is_authenticated:
        return {}
    if not hasattr(request, "_mto_unread_notifications"):
        from .selectors import unread_count

        # The session's user came with its count (mto.roles.RoleBackend.get_user); others (an API token) ask.
        known = getattr(request.user, "_mto_unread_notifications", None)
        request._mto_unread_notifications = known if known is not None else unread_count(user=request.user)
    return {"unread_notifications": request._mto_unread_notifications}
