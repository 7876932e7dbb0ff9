"""The database URL of a SQL source, its secrets, and the errors that must not show them.

The URL (with its credentials) never sits in the pipeline: ``url_env`` names an environment
variable holding it, ``url_file`` a file whose first line is it. Every error raised here or
for a driver failure shows the URL with its password as ``***``, and never chains the
driver's exception (which may hold the URL).

Example:
    >>> url = make_url("postgresql+psycopg://ann:pa55@db/crm")
    >>> mask_secrets("failed for postgresql+psycopg://ann:pa55@db/crm", url)
    'failed for postgresql+psycopg://ann:***@db/crm'
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, quote_plus

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from journey_mining.config import SqlSourceConfig
from journey_mining.errors import SourceError, redact

# A URL without a driver gets the one the project installs (SQLAlchemy's own default for
# postgresql, psycopg2, is not installed).
_DEFAULT_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
_MASK = "***"


def resolve_url(sql: SqlSourceConfig, source: str, base_dir: Path | None = None) -> URL:
    """The database URL of a source, read from its environment variable or file.

    A URL without a driver gets the installed one (``postgresql`` → ``postgresql+psycopg``,
    ``mysql``/``mariadb`` → ``+pymysql``). Errors never quote the URL.

    Example:
        >>> import os
        >>> os.environ["CRM_URL"] = "postgresql://reader:s3cret@db/crm"
        >>> cfg = SqlSourceConfig(url_env="CRM_URL", table="deals")
        >>> resolve_url(cfg, "crm").render_as_string(hide_password=True)
        'postgresql+psycopg://reader:***@db/crm'
    """
    if sql.url_env is not None:
        where = f"environment variable {sql.url_env!r}"
        text = os.environ.get(sql.url_env, "").strip()
        if not text:
            raise SourceError(
                f"source {source!r}: {where} (url_env) is not set. Fix: export it with the "
                "database URL, e.g. postgresql+psycopg://user:password@host:5432/database."
            )
    else:
        assert sql.url_file is not None
        path = Path(sql.url_file).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        where = f"file {str(path)!r}"
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise SourceError(
                f"source {source!r}: cannot read the URL {where} (url_file): {err.strerror}. "
                "Fix: create it with the database URL on its first line, readable by this user."
            ) from None
        text = lines[0].strip() if lines else ""
        if not text:
            raise SourceError(
                f"source {source!r}: the first line of {where} (url_file) is empty. Fix: put "
                "the database URL on the first line."
            )
    try:
        url = make_url(text)
    except Exception:  # the parser's messages may quote parts of the URL
        url = None
    if url is None:
        raise SourceError(
            f"source {source!r}: the value of {where} is not a SQLAlchemy URL. Fix: write it "
            "as dialect+driver://user:password@host:port/database (percent-encode special "
            "characters in the password)."
        )
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    return url


def mask_secrets(text: str, url: URL) -> str:
    """``text`` with the URL and its password replaced by their masked form (``***``).

    Secrets in the query string (``?password=…``, ``token``, ``sslpassword``) too.

    Example:
        >>> url = make_url("postgresql+psycopg://ann:pa55@db/crm")
        >>> mask_secrets("failed for postgresql+psycopg://ann:pa55@db/crm (pa55)", url)
        'failed for postgresql+psycopg://ann:***@db/crm (***)'
    """
    masked = redact(url.render_as_string(hide_password=True))
    text = text.replace(url.render_as_string(hide_password=False), masked)
    secrets = [url.password] if url.password else []
    secrets += [
        value
        for key, values in url.query.items()
        if redact(f"?{key}=x") != f"?{key}=x"  # a key redact masks: password, token, …
        for value in ((values,) if isinstance(values, str) else values)
        if value
    ]
    for secret in secrets:
        forms = {secret, quote_plus(secret), quote(secret, safe="")}
        for form in sorted(forms, key=len, reverse=True):  # longest first
            text = text.replace(form, _MASK)
    return redact(text)


def failure(err: BaseException, url: URL, source: str, stage: str, fix: str) -> SourceError:
    """A ``SourceError`` for a driver or SQLAlchemy error, with every secret masked."""
    orig = getattr(err, "orig", None)
    detail = str(orig) if isinstance(orig, BaseException) else str(err)
    detail = detail.split("(Background on this error at:")[0]  # SQLAlchemy's link, noise here
    detail = " ".join(detail.split()) or type(err).__name__
    if len(detail) > 500:
        detail = detail[:500] + "…"
    masked = redact(url.render_as_string(hide_password=True))
    return SourceError(
        mask_secrets(f"source {source!r}: {stage} {masked} failed: {detail}. Fix: {fix}", url)
    )


def create_engine(url: URL, source: str) -> Engine:
    error: SourceError | None = None
    try:
        return sa.create_engine(url, poolclass=sa.pool.NullPool)
    except Exception as err:  # unknown dialect, driver not installed
        error = failure(
            err,
            url,
            source,
            "opening",
            "use a URL whose driver is installed (postgresql+psycopg://… or "
            "mysql+pymysql://…), or install the driver.",
        )
    raise error
