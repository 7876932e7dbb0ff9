"""The words in column names that hint at a role (lower-case tokens, see ``profile.name_tokens``).

Example:
    >>> "created" in TIME_WORDS
    True
"""

from __future__ import annotations

TIME_WORDS = frozenset(
    [
        "at",
        "changed",
        "created",
        "date",
        "datetime",
        "day",
        "end",
        "ended",
        "entered",
        "epoch",
        "occurred",
        "on",
        "start",
        "started",
        "time",
        "timestamp",
        "ts",
        "when",
    ]
)
LATE_WORDS = frozenset(
    [
        "birth",
        "client",
        "deleted",
        "due",
        "expires",
        "expiry",
        "ingested",
        "last",
        "loaded",
        "modified",
        "notified",
        "processed",
        "received",
        "server",
        "sync",
        "synced",
        "updated",
        "upload",
        "uploaded",
    ]
)
RESOURCE_WORDS = frozenset(
    [
        "advisor",
        "agent",
        "assigned",
        "assignee",
        "author",
        "by",
        "employee",
        "handled",
        "handler",
        "operator",
        "owner",
        "rep",
        "resource",
        "staff",
    ]
)
USER_WORDS = frozenset(
    [
        "anonymous",
        "caller",
        "client",
        "customer",
        "distinct",
        "member",
        "profile",
        "requester",
        "subscriber",
        "uid",
        "user",
        "visitor",
    ]
)
CONTACT_WORDS = frozenset(["contact", "lead", "person", "prospect", "record"])
ACCOUNT_WORDS = frozenset(
    [
        "account",
        "company",
        "household",
        "org",
        "organisation",
        "organization",
        "tenant",
        "workspace",
    ]
)
PHONE_WORDS = frozenset(["callerid", "cell", "mobile", "msisdn", "phone", "tel", "telephone"])
ACTIVITY_WEIGHTS = {
    k: int(w)
    for k, _, w in (
        t.partition(":")
        for t in [
            "activity:6",
            "event:5",
            "action:5",
            "status:4",
            "stage:4",
            "state:4",
            "step:4",
            "type:3",
            "outcome:3",
            "disposition:3",
            "milestone:3",
            "name:2",
            "result:2",
            "kind:2",
            "topic:2",
        ]
    )
}
NOT_ACTIVITY = frozenset(
    [
        "age",
        "body",
        "browser",
        "channel",
        "city",
        "country",
        "currency",
        "device",
        "email",
        "first",
        "gender",
        "group",
        "language",
        "last",
        "office",
        "os",
        "page",
        "path",
        "phone",
        "pipeline",
        "plan",
        "platform",
        "priority",
        "region",
        "segment",
        "source",
        "subject",
        "title",
        "url",
        "via",
    ]
)
CHANNEL_WORDS = frozenset(["channel", "contact", "medium", "via"])
RATING_WORDS = frozenset(
    ["csat", "grade", "nps", "rate", "rating", "satisfaction", "score", "stars"]
)
