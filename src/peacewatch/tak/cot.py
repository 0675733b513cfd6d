"""A Cursor-on-Target event: read from hardened XML, written back as XML.

Only what PeaceWatch uses is modelled: the event's attributes, its ``<point>``, and from
``<detail>`` the ``contact``, ``__group``, ``track``, ``remarks``, ``link`` elements, a
``TakControl`` negotiation element and PeaceWatch's own ``<peacewatch label="…"/>`` (the
label a device may put on what it sends); other detail elements are not read. ``extra`` is
detail XML the gateway itself sends (a shape's colours, control elements).
"""

from __future__ import annotations

import pyexpat
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

UNKNOWN = 9999999.0  # CoT's "not known" for hae, ce and le
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


class CotError(ValueError):
    """A message that is not a usable CoT event; ``kind`` names the error for the metrics."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(slots=True)
class CotEvent:
    """One CoT event, whatever the wire format it came in or goes out in."""

    uid: str
    type: str
    time: datetime
    start: datetime
    stale: datetime
    lat: float = 0.0
    lon: float = 0.0
    hae: float = UNKNOWN
    ce: float = UNKNOWN
    le: float = UNKNOWN
    how: str = "m-g"
    callsign: str | None = None
    endpoint: str | None = None
    group_name: str | None = None
    group_role: str | None = None
    speed: float | None = None
    course: float | None = None
    remarks: str | None = None
    links: list[dict[str, str]] = field(default_factory=list)
    label: str | None = None
    takp_version: int | None = None  # a TakRequest's version (t-x-takp-q)
    takp_status: bool | None = None  # a TakResponse's status (t-x-takp-r)
    extra: str = ""  # other detail elements as XML, kept and passed on

    @classmethod
    def now(cls, uid: str, type_: str, *, stale_s: float = 120.0, **kwargs: object) -> CotEvent:
        """A new event stamped now, stale after ``stale_s`` seconds."""
        now = datetime.now(UTC)
        return cls(uid, type_, now, now, now + timedelta(seconds=stale_s), **kwargs)  # type: ignore[arg-type]


def _time(value: str | None, name: str) -> datetime:
    if not value:
        raise CotError("cot", f"the event has no {name} attribute")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CotError("cot", f"{name} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # CoT times are UTC by definition
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00, before year 1 in UTC
        raise CotError("cot", f"{name} is outside the supported dates") from None


def _float(value: str | None, name: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise CotError("cot", f"{name} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CotError("cot", f"{name} is not a finite number")
    return number


class _Forbidden(Exception):
    """A DTD, an entity declaration or an external reference: refused."""


def _forbid(*_args: object) -> None:
    raise _Forbidden


def _forbid_reference(*_args: object) -> int:
    raise _Forbidden


class _Reader:
    """One message read with expat under defusedxml's rules (a DOCTYPE, entity declarations
    and external references raise; parameter entities are never parsed), without building
    an element tree: three times faster than ``defusedxml.ElementTree`` on the hot path.
    Elements are taken by name wherever they stand; only the root must be ``<event>``."""

    __slots__ = ("attrs", "in_remarks", "links", "remarks", "root")

    def __init__(self) -> None:
        self.root: str | None = None
        self.attrs: dict[str, dict[str, str]] = {}
        self.links: list[dict[str, str]] = []
        self.remarks: list[str] | None = None
        self.in_remarks = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
        if name == "link":
            self.links.append(attrs)
        elif name == "remarks":
            self.in_remarks = True
            self.remarks = []
        elif name not in self.attrs:
            self.attrs[name] = attrs

    def end(self, name: str) -> None:
        if name == "remarks":
            self.in_remarks = False

    def text(self, data: str) -> None:
        if self.in_remarks and self.remarks is not None:
            self.remarks.append(data)

    def read(self, data: bytes) -> _Reader:
        parser = pyexpat.ParserCreate()
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _forbid
        parser.EntityDeclHandler = _forbid
        parser.UnparsedEntityDeclHandler = _forbid
        parser.ExternalEntityRefHandler = _forbid_reference
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        try:
            parser.Parse(data, True)
        except _Forbidden:
            raise CotError("xml_forbidden", "the message declares a DTD or entities") from None
        except pyexpat.ExpatError:
            raise CotError("xml", "the message is not well-formed XML") from None
        except (LookupError, UnicodeError):  # a declared encoding with no usable codec
            raise CotError("xml", "the message declares an unknown encoding") from None
        return self

    def fill(self, event: CotEvent) -> None:
        """Copy the detail elements PeaceWatch reads into ``event``."""
        found = self.attrs
        if (contact := found.get("contact")) is not None:
            event.callsign = contact.get("callsign") or event.callsign
            event.endpoint = contact.get("endpoint") or event.endpoint
        if (group := found.get("__group")) is not None:
            event.group_name = group.get("name") or event.group_name
            event.group_role = group.get("role") or event.group_role
        if (track := found.get("track")) is not None:
            event.speed = _float(track.get("speed"), "speed", 0.0)
            event.course = _float(track.get("course"), "course", 0.0)
        if self.remarks is not None:
            event.remarks = "".join(self.remarks).strip() or None
        if self.links:
            event.links.extend(self.links[:100])
        if (label := found.get("peacewatch")) is not None:
            event.label = label.get("label") or None
        if (request := found.get("TakRequest")) is not None:
            event.takp_version = int(_float(request.get("version"), "version", 0))
        if (response := found.get("TakResponse")) is not None:
            event.takp_status = response.get("status") == "true"


def from_xml(data: bytes) -> CotEvent:
    """The event of one XML CoT message (``<event>…</event>``, optionally declared)."""
    reader = _Reader().read(data)
    if reader.root != "event":
        raise CotError("cot", f"expected <event>, got <{reader.root}>")
    root = reader.attrs["event"]
    uid, type_ = root.get("uid"), root.get("type")
    if not uid or not type_:
        raise CotError("cot", "the event has no uid or no type")
    event = CotEvent(
        uid=uid,
        type=type_,
        how=root.get("how") or "",
        time=_time(root.get("time"), "time"),
        start=_time(root.get("start") or root.get("time"), "start"),
        stale=_time(root.get("stale"), "stale"),
    )
    point = reader.attrs.get("point")
    if point is not None:
        event.lat = _float(point.get("lat"), "lat", 0.0)
        event.lon = _float(point.get("lon"), "lon", 0.0)
        event.hae = _float(point.get("hae"), "hae", UNKNOWN)
        event.ce = _float(point.get("ce"), "ce", UNKNOWN)
        event.le = _float(point.get("le"), "le", UNKNOWN)
    reader.fill(event)
    return event


def read_detail_xml(event: CotEvent, detail: str) -> None:
    """Fill ``event`` from the inside of a ``<detail>`` (a protobuf's ``xmlDetail``)."""
    _Reader().read(b"<detail>" + detail.encode() + b"</detail>").fill(event)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def _attr(value: str) -> str:
    """An attribute value in quotes, escaped only when it must be (the common case is not)."""
    if "&" in value or "<" in value or '"' in value or ">" in value or "\n" in value:
        return quoteattr(value)
    return f'"{value}"'


def _num(value: float) -> str:
    return repr(float(value))


def detail_xml(event: CotEvent, *, known_only: bool = False) -> str:
    """The inside of ``<detail>``; ``known_only`` leaves out contact, group and track (which
    protocol v1 carries in typed fields)."""
    parts: list[str] = []
    if not known_only:
        if event.callsign or event.endpoint:
            attrs = "".join(
                f" {name}={_attr(value)}"
                for name, value in (("callsign", event.callsign), ("endpoint", event.endpoint))
                if value
            )
            parts.append(f"<contact{attrs}/>")
        if event.group_name:
            parts.append(
                f"<__group name={_attr(event.group_name)} "
                f"role={_attr(event.group_role or 'Team Member')}/>"
            )
        if event.speed is not None or event.course is not None:
            parts.append(
                f'<track speed="{_num(event.speed or 0.0)}" course="{_num(event.course or 0.0)}"/>'
            )
    if event.remarks:
        parts.append(f"<remarks>{escape(event.remarks)}</remarks>")
    for link in event.links:
        attrs = "".join(f" {k}={_attr(v)}" for k, v in link.items())
        parts.append(f"<link{attrs}/>")
    if event.label:
        parts.append(f"<peacewatch label={_attr(event.label)}/>")
    if event.takp_version is not None:
        parts.append(f'<TakControl><TakRequest version="{event.takp_version}"/></TakControl>')
    if event.takp_status is not None:
        status = "true" if event.takp_status else "false"
        parts.append(f'<TakControl><TakResponse status="{status}"/></TakControl>')
    parts.append(event.extra)
    return "".join(parts)


def to_xml(event: CotEvent) -> bytes:
    """The event as one XML CoT message, with the XML declaration TAK clients expect."""
    body = (
        f'<event version="2.0" uid={_attr(event.uid)} type={_attr(event.type)} '
        f'how={_attr(event.how or "m-g")} time="{_iso(event.time)}" '
        f'start="{_iso(event.start)}" stale="{_iso(event.stale)}">'
        f'<point lat="{_num(event.lat)}" lon="{_num(event.lon)}" hae="{_num(event.hae)}" '
        f'ce="{_num(event.ce)}" le="{_num(event.le)}"/>'
        f"<detail>{detail_xml(event)}</detail></event>"
    )
    return XML_DECLARATION + body.encode()


def control_event(type_: str, detail: str, *, uid: str = "peacewatch") -> bytes:
    """A server control message (t-x-takp-v, t-x-takp-r, t-x-c-t-r) as XML."""
    event = CotEvent.now(uid, type_, stale_s=20.0, how="h-g-i-g-o")
    event.extra = detail
    return to_xml(event)
