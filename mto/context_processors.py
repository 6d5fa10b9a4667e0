from django.conf import settings

from .roles import user_role_names


def roles(request):
    return {"user_roles": user_role_names(request.user), "SHOP_NAME": settings.SHOP_NAME}
