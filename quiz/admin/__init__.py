"""Administration: the ``quiz users`` commands and the admin console (``/admin``)."""
