"""Who may read an item: access control lists of file shares, turned into the contract's exposure values.

- :mod:`dlp.access.sd`: Windows security descriptors (MS-DTYP 2.4.6) in their self-relative binary form,
  read and rewritten byte for byte (an ACE this code does not know is kept as it was);
- :mod:`dlp.access.posix`: POSIX mode bits and POSIX.1e access ACLs of local and mounted files;
- :mod:`dlp.access.exposure`: which principals count as broad, and the exposure values
  (``everyone``, ``authenticated_users``, ``domain_users``, ``group:NAME``, ``other_readable``, each
  with ``(inherited)`` appended when the ACE granting it was inherited from a folder);
- :mod:`dlp.access.lsa`: SID-to-name lookups over an SMB connection's IPC$ share (LSARPC), cached;
- :mod:`dlp.access.remove`: the remediation primitive that takes a broad grant away (and its undo).

Connectors read the raw descriptors; everything that interprets them lives here, so that the SMB and
the local connector, the ``broad-access`` rule and remediation share one meaning of "broad".
"""
