"""DESIGN.md's role table written out by hand: which role may do what. The tests' only source of truth.

Deliberately not read from mto/roles.py (which grants the rights): a test that took its expectations from
the table that grants them would pass whatever the table said. Change this file only when DESIGN.md (or a
written decision) changes; a drift in mto/roles.py or in a role migration then fails the tests.

Keys are the capabilities the code asks for; values the role fixtures (tests/conftest.py) that hold them:
office (Office), manager (Manager), lead (Shop floor), clerk (Shipping),
buyer (Purchasing), inspector (Quality), operator (Operator). A superuser may do everything.
"""

OFFICE, MANAGER, LEAD, CLERK, BUYER = "office", "manager", "lead", "clerk", "buyer"
INSPECTOR = "inspector"
OPERATOR = "operator"
# Operators see nothing off their kiosk (issue 21): "every role" is every role of the office and the floor.
EVERY_ROLE = frozenset({OFFICE, MANAGER, LEAD, CLERK, BUYER, INSPECTOR})
# The role fixtures (tests/conftest.py) and the role (Django group) each stands for.
ROLE_OF_FIXTURE = {
    OFFICE: "Office",
    MANAGER: "Manager",
    LEAD: "Shop floor",
    CLERK: "Shipping",
    BUYER: "Purchasing",
    INSPECTOR: "Quality",
    OPERATOR: "Operator",
}
ROLE_NAMES = sorted(ROLE_OF_FIXTURE)

MAY = {
    # Office: customers, items, sales orders; every role views orders (Shop floor, Shipping: "view orders").
    "view_orders": EVERY_ROLE,
    "manage_customers": frozenset({OFFICE, MANAGER}),
    "edit_orders": frozenset({OFFICE, MANAGER}),  # create, edit drafts, submit, cancel
    "close_orders": frozenset({OFFICE, MANAGER}),  # Office closes a shipped order
    "approve_orders": frozenset({MANAGER}),  # approve or reject
    # Jobs: Office and Shipping view them, the Shop floor works on them; only the Manager plans them
    # (jobs by hand, routings: Office "views jobs" only) and releases, holds or cancels them.
    "view_jobs": EVERY_ROLE,  # Purchasing: "view jobs and orders"
    "plan_jobs": frozenset({MANAGER}),
    "manage_jobs": frozenset({MANAGER}),
    "run_floor": frozenset({LEAD}),  # board, operations, pieces, holds with a reason, notes
    # Shipments: Office and Manager view them, Shipping makes them, the Manager voids them.
    "view_shipments": frozenset({OFFICE, MANAGER, CLERK}),
    "ship": frozenset({CLERK}),
    "void_shipments": frozenset({MANAGER}),
    "view_reports": frozenset({MANAGER}),
    # Quotes (issue 17): everyone who may see orders sees quotes; Office prepares and sends them, a Manager
    # approves a margin below the shop's threshold before the quote may be sent.
    "view_quotes": EVERY_ROLE,
    "edit_quotes": frozenset({OFFICE, MANAGER}),
    "approve_quotes": frozenset({MANAGER}),
    # Purchasing (issue 18): the buyer has vendors, POs, receipts and ship-outs, Managers may do all of it,
    # Shipping clerks may receive, the floor sees but does not buy.
    # Quality (issue 19) "views everything on the floor", which includes what the floor waits on.
    "view_purchasing": frozenset({BUYER, MANAGER, LEAD, CLERK, INSPECTOR}),
    "buy": frozenset({BUYER, MANAGER}),
    "receive": frozenset({BUYER, MANAGER, CLERK}),
    # Quality (issue 19): the inspector has inspection plans, inspections and NCR dispositions; leads record
    # inspections and open NCRs; Managers may do everything.
    "view_quality": frozenset({INSPECTOR, MANAGER, LEAD}),
    "edit_quality_plans": frozenset({INSPECTOR, MANAGER}),
    "record_inspections": frozenset({INSPECTOR, MANAGER, LEAD, OPERATOR}),
    "open_ncrs": frozenset({INSPECTOR, MANAGER, LEAD, OPERATOR}),
    "disposition_ncrs": frozenset({INSPECTOR, MANAGER}),
    # Traceability (issue 19): the inspector ("certificates") and Managers trace shipments and recall by heat; the
    # certificate pack is one of the shipment's papers, which Shipping prints ("shipments ... print").
    "trace_shipments": frozenset({INSPECTOR, MANAGER}),
    "print_certificate_packs": frozenset({INSPECTOR, MANAGER, CLERK}),
    # First-article inspection is accepted "by Quality or Manager"; the quality reports are "Quality and Manager".
    "accept_first_articles": frozenset({INSPECTOR, MANAGER}),
    "view_quality_reports": frozenset({INSPECTOR, MANAGER}),
    # Operators (issue 21): on a kiosk tablet of a work center, identified by badge or PIN, they run operations,
    # report pieces, clock in and out and add notes; they also inspect and open NCRs (DESIGN: "inspect").
    "operate": frozenset({OPERATOR}),
}


def may(role_fixture: str, *capabilities: str) -> bool:
    """Whether the role (a fixture name, or "superuser") may do what needs any one of `capabilities`."""
    if role_fixture == "superuser":
        return True
    return any(role_fixture in MAY[c] for c in capabilities)
