"""The TAK / Cursor-on-Target gateway: ATAK, WinTAK and iTAK devices join the mission.

Modules: ``cot`` (the event model, hardened XML in and out), ``proto`` (TAK protocol v1
through takproto), ``framing`` (splitting a byte stream into messages), ``types`` (CoT type
atoms to kinds and SIDCs), ``meaning`` (an event to a position, a report or a control message),
``sink`` (batched writes through the ingest pipeline), ``feed`` (what each user may be sent),
``connection`` (one TCP/TLS device and its bounded queue), ``datagrams`` (UDP), ``server``
(the listeners and the gateway), ``config``, ``certs`` (CA, client certificates, data
packages) and ``metrics``. See docs/tak.md.
"""
