"""Demo users, one per role. The passwords are for the demo only and are printed in the README."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .roles import MANAGER, OFFICE, PURCHASING, QUALITY, SHIPPING, SHOP_FLOOR

DEMO_PASSWORD = "mto-demo"
DEMO_USERS = [
    # username, first, last, role (None: superuser)
    ("office", "Olivia", "Office", OFFICE),
    ("manager", "Marco", "Manager", MANAGER),
    ("lead", "Lena", "Lead", SHOP_FLOOR),
    ("clerk", "Carl", "Clerk", SHIPPING),
    ("buyer", "Bianca", "Buyer", PURCHASING),
    ("inspector", "Ivan", "Inspector", QUALITY),
    ("admin", "Ada", "Admin", None),
]


def seed_users() -> dict:
    User = get_user_model()
    users = {}
    for username, first, last, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@mto.example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = role is None
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users
