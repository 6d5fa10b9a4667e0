from django.conf import settings

from .roles import user_role_names


def roles(request):
    return {"user_roles": user_role_names(request.user), "SHOP_NAME": settings.SHOP_NAME}


def notifications(request):
    """The bell's unread count: one indexed query per page for a signed-in user."""
    if not request.user.is_authenticated:
        return {}
    from .models import Notification

    unread = Notification.objects.filter(
        recipient=request.user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).count()
    return {"unread_notifications": unread}
