"""The schema: one SQLAlchemy Core table per record kind, the same on SQLite (station) and PostgreSQL (town).

Every record that leaves the station carries the sync columns: a UUIDv7 ``id`` made offline,
``origin`` (the station that made it), ``created_hlc`` / ``updated_hlc`` from the hybrid logical clock,
and ``deleted`` (a tombstone instead of a hard delete). Each change also writes a ``change_log`` row
in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)

from app.domain import merge as _merge
from app.persistence.search_keys import KEY_CHARS, SEPARATOR

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

HLC = String(40)
ID = String(36)


def _sync_columns() -> list[Column[object]]:
    return [
        Column("id", ID, primary_key=True),
        Column("origin", String(20), nullable=False),
        Column("created_hlc", HLC, nullable=False),
        Column("updated_hlc", HLC, nullable=False),
        Column("deleted", Boolean, nullable=False, server_default=false()),
    ]


# Local-only key/value facts about this installation (station code, node id, clock).
meta = Table(
    "meta",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

towns = Table(
    "towns",
    metadata,
    *_sync_columns(),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(40), nullable=False),
)

villages = Table(
    "villages",
    metadata,
    *_sync_columns(),
    Column("town_code", String(20), nullable=False),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(40), nullable=False),
)

stations = Table(
    "stations",
    metadata,
    *_sync_columns(),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(60), nullable=False),
    Column("town_code", String(20), nullable=False),
    Column("village_code", String(20), nullable=False),
    Column("phone", String(30), nullable=False, server_default=""),
    Column("supervision_phone", String(30), nullable=False, server_default=""),
)

staff = Table(
    "staff",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("username", String(32), nullable=False, unique=True),
    Column("display_name", String(40), nullable=False),
    Column("staff_no", String(20), nullable=False),
    Column("role", String(20), nullable=False),
    Column("post", String(1), nullable=False),
    Column("phone", String(30), nullable=False, server_default=""),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    # Per-field versions, as for residents: the town disabling an account and the station re-hashing its
    # password at a sign-in both keep their change.
    Column("field_hlc", Text, nullable=False, server_default="{}"),
    # Lock-out state is per PC and never synced: it lives in staff_logins.
)

staff_logins = Table(
    "staff_logins",
    metadata,
    Column("staff_id", ID, ForeignKey("staff.id"), primary_key=True),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", String(32)),
    Column("last_login_at", String(32)),
)

households = Table(
    "households",
    metadata,
    *_sync_columns(),
    Column("village_code", String(20), nullable=False),
    Column("household_no", String(40), nullable=False),
    Column("head_name", String(40), nullable=False, server_default=""),
    Column("address", String(120), nullable=False, server_default=""),
    # Which version of each field this row holds ({field: hlc}; a field not named is as old as the row):
    # two stations changing different fields of one household both keep their change (app.persistence.replica).
    Column("field_hlc", Text, nullable=False, server_default="{}"),
    UniqueConstraint("village_code", "household_no", name="uq_households_village_no"),
)

residents = Table(
    "residents",
    metadata,
    *_sync_columns(),
    Column("name", String(40), nullable=False),
    Column("name_initials", String(40), nullable=False),
    Column("gender", String(1)),
    Column("id_type", String(20), nullable=False),
    Column("id_number", String(30), nullable=False),
    Column("id_rev", String(30), nullable=False),  # reversed, so "last N digits" is a prefix lookup
    Column("birth_date", Date),
    Column("phone", String(30), nullable=False, server_default=""),
    Column("phone_rev", String(30), nullable=False, server_default=""),
    Column("village_code", String(20), nullable=False),
    Column("group_name", String(20), nullable=False, server_default=""),
    Column("address", String(120), nullable=False, server_default=""),
    Column("household_id", ID, ForeignKey("households.id")),
    Column("relation", String(10), nullable=False, server_default=""),
    Column("tags", String(200), nullable=False, server_default=""),  # "、"-joined
    Column("ethnicity", String(10), nullable=False, server_default=""),
    Column("field_hlc", Text, nullable=False, server_default="{}"),  # per-field versions, as for households
    # Registered twice offline (the same ID number at two stations): the later registration is merged into the
    # earlier one, kept as a deleted row pointing at it (app.persistence.replica); its cases point at the survivor.
    Column("merged_into", ID),
    UniqueConstraint("id_type", "id_number", name="uq_residents_id"),
    Index("ix_residents_id_rev", "id_rev"),
    Index("ix_residents_name", "name"),
    Index("ix_residents_name_initials", "name_initials"),
    Index("ix_residents_phone_rev", "phone_rev"),
    Index("ix_residents_household_id", "household_id"),
    Index("ix_residents_village_code", "village_code"),
)
# A name read two ways keeps its second initials after "|" in name_initials (app.persistence.search_keys): this
# index holds what follows the separator, for those names only, so either reading is found by a prefix lookup.
NAME_INITIALS_ALT = func.substr(residents.c.name_initials,
                                func.length(func.rtrim(residents.c.name_initials, KEY_CHARS)) + 1)
Index("ix_residents_name_initials_alt", NAME_INITIALS_ALT,
      sqlite_where=residents.c.name_initials.like(f"%{SEPARATOR}%"),
      postgresql_where=residents.c.name_initials.like(f"%{SEPARATOR}%"))

catalog_files = Table(
    "catalog_files",
    metadata,
    *_sync_columns(),
    Column("catalog_id", String(40), nullable=False, unique=True),
    Column("scope", String(10), nullable=False),
    Column("version", String(20), nullable=False),
    Column("body", Text, nullable=False),  # the JSON file as published
)

# The working-day calendar as published by the town (holidays and make-up days); one row, replaced
# by newer versions. Without it the calendar shipped with the program is used.
calendar_files = Table(
    "calendar_files",
    metadata,
    *_sync_columns(),
    Column("calendar_id", String(40), nullable=False, unique=True),
    Column("version", String(20), nullable=False),
    Column("body", Text, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    *_sync_columns(),
    Column("case_no", String(40), nullable=False, unique=True),
    Column("station_code", String(20), nullable=False),
    Column("item_code", String(10), nullable=False),
    Column("item_name", String(80), nullable=False),
    Column("catalog_version", String(40), nullable=False),
    Column("applicant_id", ID, ForeignKey("residents.id"), nullable=False),
    Column("proxy_name", String(40), nullable=False, server_default=""),
    Column("proxy_id_number", String(30), nullable=False, server_default=""),
    Column("proxy_relation", String(20), nullable=False, server_default=""),
    Column("proxy_phone", String(30), nullable=False, server_default=""),
    Column("first_staff_id", ID, ForeignKey("staff.id"), nullable=False),  # 首问负责
    Column("handler_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("form_json", Text, nullable=False, server_default="{}"),
    Column("received_at", String(32), nullable=False),
    Column("accepted_at", String(32)),
    Column("due_date", Date),
    Column("closed_at", String(32)),
    Column("outcome", String(20), nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_cases_applicant_id", "applicant_id"),
    Index("ix_cases_station_applicant", "station_code", "applicant_id"),  # whom a station served (the pull)
    Index("ix_cases_state_due", "state", "due_date"),
    Index("ix_cases_received_at", "received_at"),
)

case_events = Table(
    "case_events",
    metadata,
    *_sync_columns(),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(20), nullable=False, server_default=""),
    Column("to_state", String(20), nullable=False),
    Column("staff_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_case_events_case_id", "case_id"),
)

case_materials = Table(
    "case_materials",
    metadata,
    *_sync_columns(),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("material_code", String(20), nullable=False),
    Column("name", String(80), nullable=False),
    Column("required", Boolean, nullable=False),
    Column("received", Boolean, nullable=False),
    Column("copies", Integer, nullable=False),
    Column("form", String(20), nullable=False),
    Index("ix_case_materials_case_id", "case_id"),
)

attachments = Table(
    "attachments",
    metadata,
    *_sync_columns(),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("material_code", String(20), nullable=False, server_default=""),
    Column("file_name", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("stored_path", String(300), nullable=False),  # relative to the data folder
    Column("added_by", ID, ForeignKey("staff.id"), nullable=False),
    Column("added_at", String(32), nullable=False),
    Index("ix_attachments_case_id", "case_id"),
)

# Gap-free numbering: one row per (station, kind, day); bumped in the same transaction as the record.
sequences = Table(
    "sequences",
    metadata,
    Column("station_code", String(20), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("period", String(8), primary_key=True),
    Column("last_value", Integer, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("id", ID, nullable=False, unique=True),
    Column("origin", String(20), nullable=False),
    Column("hlc", HLC, nullable=False),
    Column("at", String(32), nullable=False),
    Column("staff_id", String(36), nullable=False, server_default=""),
    Column("action", String(40), nullable=False),
    Column("target_type", String(20), nullable=False, server_default=""),
    Column("target_id", String(40), nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # Which of the station's keys sealed it (kept apart from the database: app.services.seals); "" for the plain
    # SHA-256 of an earlier release.
    Column("key_id", String(20), nullable=False, server_default=""),
)

# The outbox for sync: one row per change, written in the same transaction as the change.
# It names the record; the pusher reads the record's current state (last writer wins by HLC).
change_log = Table(
    "change_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("change_id", ID, nullable=False, unique=True),
    Column("table_name", String(30), nullable=False),
    Column("row_id", String(40), nullable=False),
    Column("op", String(10), nullable=False),  # upsert | delete
    Column("hlc", HLC, nullable=False),
    Column("pushed_at", String(32)),
    Index("ix_change_log_pending", "pushed_at", "seq"),
)

# 好差评: one rating per case (the unique case_id is the rule "该办件已评价").
ratings = Table(
    "ratings",
    metadata,
    *_sync_columns(),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False, unique=True),
    Column("level", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("stage", String(20), nullable=False),  # the case's state when rated: accepted, completed, …
    Column("staff_id", ID, ForeignKey("staff.id"), nullable=False),  # the officer whose service was rated
    Column("comment", Text, nullable=False, server_default=""),
    Column("rated_at", String(32), nullable=False),
)

# 整改回访: what a bad rating opens, to be closed by its due date.
follow_ups = Table(
    "follow_ups",
    metadata,
    *_sync_columns(),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("rating_id", ID, ForeignKey("ratings.id"), nullable=False, unique=True),
    Column("due_date", Date, nullable=False),
    Column("state", String(10), nullable=False, server_default="open"),  # open | done
    Column("note", Text, nullable=False, server_default=""),
    Column("closed_at", String(32)),
    Column("closed_by", ID, ForeignKey("staff.id")),
    Index("ix_follow_ups_state_due", "state", "due_date"),
)

# Printed documents (受理回执, 告知单, 收据 …): one row per number, never deleted. A void keeps its row
# (state "voided", who, when, why); a reprint keeps its number and counts up ``reprints``.
documents = Table(
    "documents",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("number", String(40), nullable=False, unique=True),
    Column("subject_type", String(20), nullable=False),  # case | event | payment | day | points
    Column("subject_id", String(40), nullable=False),
    Column("case_id", ID, ForeignKey("cases.id")),
    Column("paper", String(10), nullable=False),
    Column("state", String(10), nullable=False, server_default="issued"),  # issued | voided
    Column("issued_at", String(32), nullable=False),
    Column("issued_by", ID, ForeignKey("staff.id"), nullable=False),
    Column("reprints", Integer, nullable=False, server_default=text("0")),
    Column("last_reprint_at", String(32)),
    Column("printed_at", String(32)),  # sent to a printer without error; empty: waiting in the reprint queue
    Column("void_reason", Text, nullable=False, server_default=""),
    Column("voided_at", String(32)),
    Column("voided_by", ID, ForeignKey("staff.id")),
    # What the document said when first issued (letterhead and body as JSON): a reprint says the same.
    Column("content_json", Text),
    Index("ix_documents_subject", "kind", "subject_id"),
    Index("ix_documents_issued_at", "issued_at"),
)

# Money taken at the counter for a case (fees, bills, fines, top-ups), its lines as JSON [[label, fen], …].
# A payment row is written once and never changed: what happens to it afterwards (remitted, matched,
# failed, refunded, voided) is a payment_events row. ``business_day`` is the day it is booked to (the next
# open day when its own day was already closed: ``late``). The payment receipt (收款收据) is its document.
payments = Table(
    "payments",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("payee", String(80), nullable=False),
    Column("lines_json", Text, nullable=False),
    Column("total_fen", Integer, nullable=False),
    Column("method", String(20), nullable=False),
    Column("reference", String(80), nullable=False, server_default=""),
    Column("cashier_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("paid_at", String(32), nullable=False),
    Column("item_code", String(20), nullable=False, server_default=""),
    Column("txn_ref", String(60), nullable=False, server_default=""),  # QR / card transaction number
    Column("tendered_fen", Integer),  # cash handed over (None: the exact amount, or not cash)
    Column("change_fen", Integer, nullable=False, server_default="0"),
    Column("session_id", ID, ForeignKey("cash_sessions.id")),  # the drawer a cash payment went into
    Column("business_day", Date),
    Column("late", Boolean, nullable=False, server_default=false()),
    Index("ix_payments_case_id", "case_id"),
    Index("ix_payments_station_day", "station_code", "business_day"),
)

# What happened to a payment after it was taken: remitted, matched, failed, refunded, voided. Append-only;
# a refund or void names its reason and the head who approved it.
payment_events = Table(
    "payment_events",
    metadata,
    *_sync_columns(),
    Column("payment_id", ID, ForeignKey("payments.id"), nullable=False),
    Column("station_code", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("amount_fen", Integer, nullable=False, server_default="0"),  # money handed back (refund, void)
    Column("method", String(20), nullable=False, server_default=""),  # how it was handed back
    Column("reason", Text, nullable=False, server_default=""),
    Column("reference", String(80), nullable=False, server_default=""),  # the third party's confirmation
    Column("staff_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("approver_id", ID, ForeignKey("staff.id")),
    Column("at", String(32), nullable=False),
    Column("business_day", Date, nullable=False),
    Column("late", Boolean, nullable=False, server_default=false()),
    Index("ix_payment_events_payment", "payment_id", "at"),
    Index("ix_payment_events_station_day", "station_code", "business_day"),
)

# The cash drawer: opened with a counted float, closed with a count by denomination. One open at a time
# per station (the A and B posts share the counter's drawer).
cash_sessions = Table(
    "cash_sessions",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("business_day", Date, nullable=False),
    Column("opened_by", ID, ForeignKey("staff.id"), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Column("float_fen", Integer, nullable=False),
    Column("state", String(10), nullable=False),  # open | closed
    Column("closed_by", ID, ForeignKey("staff.id")),
    Column("closed_at", String(32)),
    Column("count_json", Text, nullable=False, server_default="{}"),  # {"10000": 3, …}
    Column("expected_fen", Integer),
    Column("counted_fen", Integer),
    Column("approved_by", ID, ForeignKey("staff.id")),  # the head, when the difference is over tolerance
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_cash_sessions_station_state", "station_code", "state"),
)

# Every movement of cash in the drawer (a payment, a refund, money put in or taken out with a reason).
cash_moves = Table(
    "cash_moves",
    metadata,
    *_sync_columns(),
    Column("session_id", ID, ForeignKey("cash_sessions.id"), nullable=False),
    Column("station_code", String(20), nullable=False),
    Column("kind", String(10), nullable=False),  # payment | refund | in | out
    Column("amount_fen", Integer, nullable=False),  # into the drawer > 0, out of it < 0
    Column("reason", Text, nullable=False, server_default=""),
    Column("payment_id", ID, ForeignKey("payments.id")),
    Column("staff_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("business_day", Date, nullable=False),
    Column("late", Boolean, nullable=False, server_default=false()),
    Index("ix_cash_moves_session", "session_id"),
)

# The daily close (日结): one per station and day, its report as it was when closed. Once a day is closed its
# records never change; anything later is booked to the next open day.
day_closes = Table(
    "day_closes",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("day", Date, nullable=False),
    Column("closed_by", ID, ForeignKey("staff.id"), nullable=False),
    Column("closed_at", String(32), nullable=False),
    Column("report_json", Text, nullable=False),
    UniqueConstraint("station_code", "day", name="uq_day_closes_station_day"),
)

# The station's hash chain over payments, payment events, cash moves and closed drawers, documents and
# daily closes: each link holds the digest of its record's fields and the hash of the link before it, so
# an edit, a deletion or a record slipped in afterwards shows (``python -m app.cli check``).
chain_links = Table(
    "chain_links",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("row_id", ID, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", String(32), nullable=False),
    # The key its hash is keyed with (HMAC-SHA256; "" for an earlier release's plain SHA-256): app.services.seals.
    Column("key_id", String(20), nullable=False, server_default=""),
    UniqueConstraint("station_code", "seq", name="uq_chain_links_station_seq"),
    Index("ix_chain_links_row", "table_name", "row_id"),
)

# Business settings of a station (the printed documents' header lines, footer, phones, font, printers):
# synced like everything the town may see. Machine settings live in the settings file, not here.
station_settings = Table(
    "station_settings",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("key", String(60), nullable=False),
    Column("value", Text, nullable=False),
    UniqueConstraint("station_code", "key", name="uq_station_settings_station_key"),
)

# ---------------------------------------------------------------- village points (积分制)
# The ledger is append-only: a balance is the sum of an account's entries, stock the sum of its moves.
# Accounts and their opening entries have ids made from the holder (uuid5), so two stations that open the
# same household's account offline make the same rows and the town counts them once.

points_rules_files = Table(
    "points_rules_files",
    metadata,
    *_sync_columns(),
    Column("rules_id", String(40), nullable=False),
    Column("scope", String(10), nullable=False),  # town | village
    Column("village_code", String(20), nullable=False, server_default=""),
    Column("version", String(20), nullable=False),
    Column("body", Text, nullable=False),  # the JSON file as published
    UniqueConstraint("rules_id", "version", name="uq_points_rules_files_id_version"),
)

points_accounts = Table(
    "points_accounts",
    metadata,
    *_sync_columns(),
    Column("kind", String(10), nullable=False),  # household | person
    Column("holder_id", ID, nullable=False),  # households.id or residents.id
    Column("village_code", String(20), nullable=False),
    Column("holder_name", String(40), nullable=False),
    Column("group_name", String(20), nullable=False, server_default=""),
    Column("opened_at", String(32), nullable=False),
    UniqueConstraint("kind", "holder_id", name="uq_points_accounts_holder"),
    Index("ix_points_accounts_village_code", "village_code"),
)

points_entries = Table(
    "points_entries",
    metadata,
    *_sync_columns(),
    Column("account_id", ID, ForeignKey("points_accounts.id"), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("points", Integer, nullable=False),
    Column("at", String(32), nullable=False),
    Column("expires_on", Date),  # a credit's last usable day
    Column("lot_id", ID, nullable=False, server_default=""),  # an expiry: the credit it clears
    Column("declaration_id", ID, nullable=False, server_default=""),
    Column("redemption_id", ID, nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Column("approved_by", String(80), nullable=False, server_default=""),  # the review that approved it
    Column("operator_id", ID, ForeignKey("staff.id")),  # the staff member who made the entry
    Column("station_code", String(20), nullable=False),
    Index("ix_points_entries_account_at", "account_id", "at"),
)

points_notices = Table(
    "points_notices",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("village_code", String(20), nullable=False),
    Column("posted_at", String(32), nullable=False),
    Column("posted_by", ID, ForeignKey("staff.id"), nullable=False),
    Column("ends_on", Date, nullable=False),  # the last day of 公示
    Column("state", String(10), nullable=False),  # open | closed
    Column("closed_at", String(32)),
)

points_declarations = Table(
    "points_declarations",
    metadata,
    *_sync_columns(),
    Column("account_id", ID, ForeignKey("points_accounts.id"), nullable=False),
    Column("resident_id", ID, ForeignKey("residents.id"), nullable=False),  # who did it
    Column("indicator_code", String(10), nullable=False),
    Column("rules_version", String(80), nullable=False),
    Column("hours", String(8), nullable=False, server_default=""),
    Column("points", Integer, nullable=False),
    Column("activity_on", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("evidence_path", String(300), nullable=False, server_default=""),
    Column("declared_by", String(40), nullable=False),  # 本人, 组长 王五 …
    Column("recorded_by", ID, ForeignKey("staff.id"), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("station_code", String(20), nullable=False),
    Column("state", String(12), nullable=False),
    Column("reviewed_by", ID, ForeignKey("staff.id")),
    Column("review_body", String(40), nullable=False, server_default=""),
    Column("reviewed_at", String(32)),
    Column("review_reason", Text, nullable=False, server_default=""),
    Column("notice_id", ID, ForeignKey("points_notices.id")),
    Column("objection", Text, nullable=False, server_default=""),
    Column("entry_id", ID, nullable=False, server_default=""),  # the ledger entry once credited
    Index("ix_points_declarations_state", "state"),
    Index("ix_points_declarations_account_id", "account_id"),
    Index("ix_points_declarations_notice_id", "notice_id"),
)

points_goods = Table(
    "points_goods",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("code", String(20), nullable=False),
    Column("name", String(40), nullable=False),
    Column("unit", String(10), nullable=False, server_default="件"),
    Column("price", Integer, nullable=False),  # points
    Column("active", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("station_code", "code", name="uq_points_goods_station_code"),
)

points_redemptions = Table(
    "points_redemptions",
    metadata,
    *_sync_columns(),
    Column("station_code", String(20), nullable=False),
    Column("account_id", ID, ForeignKey("points_accounts.id"), nullable=False),
    Column("resident_id", ID, ForeignKey("residents.id"), nullable=False),  # who came to the counter
    Column("lines_json", Text, nullable=False),  # [[goods_id, name, quantity, price], …]
    Column("total", Integer, nullable=False),
    Column("at", String(32), nullable=False),
    Column("staff_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("state", String(10), nullable=False),  # done | reversed
    Column("reversed_at", String(32)),
    Column("reversed_by", ID, ForeignKey("staff.id")),
    Column("reverse_reason", Text, nullable=False, server_default=""),
    Index("ix_points_redemptions_account_id", "account_id"),
)

points_stock_moves = Table(
    "points_stock_moves",
    metadata,
    *_sync_columns(),
    Column("goods_id", ID, ForeignKey("points_goods.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # receive | redeem | reverse | adjust
    Column("quantity", Integer, nullable=False),  # signed
    Column("redemption_id", ID, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("staff_id", ID, ForeignKey("staff.id"), nullable=False),
    Column("at", String(32), nullable=False),
    Index("ix_points_stock_moves_goods_id", "goods_id"),
)

# Spending found to have gone past the spendable balance when entries made offline at two stations met:
# the town reviews each (a correction entry, or accepted as it is).
points_conflicts = Table(
    "points_conflicts",
    metadata,
    *_sync_columns(),
    Column("account_id", ID, ForeignKey("points_accounts.id"), nullable=False),
    Column("found_at", String(32), nullable=False),
    Column("overspent", Integer, nullable=False),
    Column("state", String(10), nullable=False),  # open | resolved
    Column("note", Text, nullable=False, server_default=""),
    Column("resolved_by", ID, ForeignKey("staff.id")),
    Column("resolved_at", String(32)),
)

# ---------------------------------------------------------------- town sync

# The town server's global order of applied changes (gap-free: each batch takes the next numbers under a
# lock, in one transaction). A station pulls everything after its cursor. Kept on the server only.
server_log = Table(
    "server_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("change_id", ID, nullable=False, unique=True),
    Column("station_code", String(20), nullable=False),  # who sent it
    Column("table_name", String(40), nullable=False),
    Column("row_id", String(40), nullable=False),
    Column("op", String(10), nullable=False),
    Column("hlc", HLC, nullable=False),
    Column("row_json", Text, nullable=False),  # the row as it was sent
    Column("applied_at", String(32), nullable=False),
    # Who pulls it: "" every station; a resident's id for a case and what hangs on it (the sender, stations
    # of the resident's village and stations that served the resident); "-" the sender alone (its drawer,
    # closes, chain). See app.services.replication.
    Column("audience", String(40), nullable=False, server_default=""),
    # When a resident first reached the town (a second registration of one ID number may win only over a record
    # its station could not have pulled yet: app.services.screening).
    Index("ix_server_log_resident", "row_id", sqlite_where=text("table_name = 'residents'"),
          postgresql_where=text("table_name = 'residents'")),
)

# Stations the town enrolled: a one-time enrolment code, exchanged for the station's credential (both kept
# only as hashes). Kept on the server only.
server_stations = Table(
    "server_stations",
    metadata,
    Column("station_code", String(20), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("enrol_hash", String(200)),
    Column("enrol_expires", String(32)),
    Column("credential_hash", String(200)),
    Column("enrolled_at", String(32)),
    Column("last_seen", String(32)),
    Column("active", Boolean, nullable=False, server_default=true()),
    # The village the station serves, as the town enrolled it ("" when not named): its own row in ``stations``
    # must say the same, and it decides whose cases the station pulls.
    Column("village_code", String(20), nullable=False, server_default=""),
    # The log number up to which the station has pulled (what it can have seen).
    Column("pulled_to", BigInteger, nullable=False, server_default=text("0")),
    # The ids of the keys the town issued to the station, oldest first ("," between): each is derived again from
    # the town's master secret (never stored), so this database alone gives no key.
    Column("key_ids", String(400), nullable=False, server_default=""),
)

# Where each station's tamper evidence stood when it said so at a sync (its chain's and its audit log's last
# link): a station whose chain or log later lacks what it once reported was cut. Kept on the server only.
station_anchors = Table(
    "station_anchors",
    metadata,
    Column("id", ID, primary_key=True),
    Column("station_code", String(20), nullable=False),
    Column("at", String(32), nullable=False),
    Column("chain_seq", BigInteger, nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Column("audit_seq", BigInteger, nullable=False),
    Column("audit_hash", String(64), nullable=False),
    Column("note", String(40), nullable=False, server_default=""),  # "restored": a new start after a restore
    Index("ix_station_anchors_station_at", "station_code", "at"),
)

# What a station tried and the town refused (a record not its own, a value no station writes): never applied,
# never dropped, for the town administrator (app.domain.trust). Kept on the server only.
security_events = Table(
    "security_events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("found_at", String(32), nullable=False),
    Column("station_code", String(20), nullable=False),
    Column("change_id", String(36), nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("row_id", String(40), nullable=False),
    Column("code", String(60), nullable=False),  # the refusal's message code (app/messages/trust.py)
    Column("params_json", Text, nullable=False, server_default="{}"),
    Column("fields", String(400), nullable=False, server_default=""),  # what it tried to change, "、"-joined
    Column("row_json", Text, nullable=False),  # the row as it was sent
    Column("state", String(10), nullable=False, server_default="open"),  # open | seen
    Index("ix_security_events_found_at", "found_at"),
)

# Changes that could not be applied as they came (e.g. a second record of a unique thing): kept with the
# row, never dropped, for the town administrator (or the station) to look at. On stations and the server.
sync_conflicts = Table(
    "sync_conflicts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("change_id", ID, nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("row_id", String(40), nullable=False),
    Column("station_code", String(20), nullable=False, server_default=""),
    Column("reason", Text, nullable=False),
    Column("row_json", Text, nullable=False),
    Column("found_at", String(32), nullable=False),
    Column("state", String(10), nullable=False, server_default="open"),  # open | resolved
)

# Tables merged field by field (the town's shared records, changed at any station); the others row by row
# (the rule itself: app.domain.merge).
FIELD_MERGED: tuple[str, ...] = tuple(sorted(_merge.FIELD_MERGED))

SYNCED_TABLES: tuple[str, ...] = (
    "towns", "villages", "stations", "staff", "households", "residents", "catalog_files", "calendar_files",
    "cases", "case_events", "case_materials", "attachments", "ratings", "follow_ups",
    "documents", "payments", "station_settings",
    "payment_events", "cash_sessions", "cash_moves", "day_closes", "chain_links",
    "points_rules_files", "points_accounts", "points_entries", "points_notices", "points_declarations",
    "points_goods", "points_redemptions", "points_stock_moves", "points_conflicts",
)
