"""The edge: everything that turns an HTTP request into plain values, and plain values
back into a response, lives here, so routes, the API and the CLI share one of each.

- ``params``: numbers, dates and JSON from a request (ASCII digits only, in range);
- ``forms``: the button-only form and how a service's field errors reach a form;
- ``client``: the client's address (behind the configured proxies) and the ``Actor``
  that every audit event records;
- ``downloads``: file responses named per RFC 5987 with an ASCII fallback.

Routes use these instead of ``request.remote_addr``, ``int(...)`` or a header of their
own (docs/architecture.md, "The edge").
"""
