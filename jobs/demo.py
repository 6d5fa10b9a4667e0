"""Demo work centers and routings for the catalogue items."""

from decimal import Decimal

from sales.models import Item

from .models import RoutingStep, WorkCenter

WORK_CENTERS = [
    ("SAW", "Band saw", "45.00"),
    ("CNC", "CNC mill", "95.00"),
    ("LATHE", "CNC lathe", "90.00"),
    ("WELD", "Welding bay", "70.00"),
    ("PAINT", "Paint and powder coat", "55.00"),
    ("INSP", "Inspection", "65.00"),
    ("ASSY", "Assembly", "60.00"),
    ("ENG", "Engineering", "85.00"),
]
ROUTINGS = {
    "BRK": [("SAW", "Cut blanks", "0.25", "0.02"), ("CNC", "Mill pockets and holes", "1.0", "0.15"),
            ("INSP", "First-article and final inspection", "0.25", "0.03")],
    "SHF": [("SAW", "Cut bar stock", "0.25", "0.03"), ("LATHE", "Turn journals and keyway", "1.5", "0.35"),
            ("INSP", "Check runout and diameters", "0.25", "0.05")],
    "FLG": [("SAW", "Cut rings", "0.25", "0.05"), ("LATHE", "Face and bore", "1.0", "0.4"),
            ("CNC", "Drill bolt circle", "0.75", "0.2"), ("INSP", "Pressure-face inspection", "0.25", "0.05")],
    "PLT": [("SAW", "Shear plate", "0.25", "0.02"), ("CNC", "Drill and deburr", "0.5", "0.08"),
            ("PAINT", "Powder coat", "0.5", "0.05"), ("INSP", "Final inspection", "0.1", "0.02")],
    "HSG": [("CNC", "Machine datum faces", "2.0", "0.8"), ("CNC", "Bore bearing seats", "1.5", "0.6"),
            ("INSP", "CMM inspection", "0.5", "0.25")],
    "SPC": [("LATHE", "Turn and part off", "0.5", "0.01"), ("INSP", "Sample inspection", "0.1", "0.005")],
    "FRM": [("SAW", "Cut tubes", "0.5", "0.3"), ("WELD", "Tack and weld frame", "1.0", "2.5"),
            ("PAINT", "Blast and paint", "0.75", "0.6"), ("INSP", "Dimensional check", "0.25", "0.2"),
            ("ASSY", "Fit feet and plates", "0.25", "0.5")],
    "PIN": [("LATHE", "Turn pin", "0.5", "0.03"), ("INSP", "Hardness check", "0.1", "0.01")],
}  # fmt: skip


def seed_shop_floor(stdout=None) -> None:
    centers = {}
    for code, name, rate in WORK_CENTERS:
        centers[code], _ = WorkCenter.objects.get_or_create(
            code=code, defaults={"name": name, "hourly_rate": Decimal(rate)}
        )
    items = Item.objects.filter(routing_steps__isnull=True)
    steps = []
    for item in items:
        routing = ROUTINGS.get(item.part_number.split("-")[0], ROUTINGS["BRK"])
        for index, (code, description, setup, run) in enumerate(routing, start=1):
            steps.append(
                RoutingStep(
                    item=item,
                    sequence=index * 10,
                    work_center=centers[code],
                    description=description,
                    setup_hours=Decimal(setup),
                    run_hours_per_piece=Decimal(run),
                )
            )
    RoutingStep.objects.bulk_create(steps)
    if stdout:
        stdout.write(f"  {len(centers)} work centers, {len(steps)} new routing steps")
    seed_operators(stdout)


# Operators badge in on kiosk tablets (issue 21); the demo's PINs are for trying the kiosk out, nothing else.
LABOR_CLASSES = [("Machinist", "32.00"), ("Helper", "22.00")]
OPERATORS = [("oscar", "Oscar", "Ortiz", "Machinist", None, "2580"), ("petra", "Petra", "Pohl", "Helper", "24.50",
             "3691")]  # fmt: skip


def seed_operators(stdout=None) -> None:
    """Labor classes and operators (users of the Operator role with a badge and a PIN, no password). Idempotent."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from .models import LaborClass, OperatorProfile

    classes = {
        name: LaborClass.objects.get_or_create(name=name, defaults={"hourly_rate": Decimal(rate)})[0]
        for name, rate in LABOR_CLASSES
    }
    group = Group.objects.filter(name="Operator").first()
    for username, first, last, klass, rate, pin in OPERATORS:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if group:
            user.groups.add(group)
        OperatorProfile.objects.get_or_create(user=user, defaults={
            "badge_key": secrets.token_urlsafe(18), "labor_class": classes[klass],
            "hourly_rate": Decimal(rate) if rate else None, "pin_hash": make_password(pin)})  # fmt: skip
    if stdout:
        stdout.write(f"  {len(OPERATORS)} operators (kiosk PINs {', '.join(o[5] for o in OPERATORS)})")
