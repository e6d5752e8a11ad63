"""The transfer rules: one module per rule, found by walking this package (never listed by hand).

A rule module defines one subclass of :class:`dlp.policy.transfer.TransferRule`:

- ``name``: the rule id a verdict's reasons carry, kebab-case (``personal-account``);
- ``order``: where its reasons stand among the others' (lower first; 10 personal-account, 20
  third-party-without-authorization, 30 unencrypted-93h, 40 unreadable-content, 50 notices);
- ``evaluate(context) -> list[RuleReason]``: its reasons against one transfer, empty when it has nothing
  to say. A :class:`~dlp.policy.transfer.RuleReason` holds the rule id, the action (``block``, ``warn``,
  or ``advise``: a warning only when no other rule blocks or warns), a message naming the facts and
  never a value, and the recipients it concerns (a blocked message names them to the SMTP filter);
- ``EXAMPLES``: :class:`~dlp.policy.transfer.RuleExample` objects, each a context and exactly the
  reasons expected of it (:class:`~dlp.policy.transfer.Expect`: action, recipients, words of the
  message). ``tests/policy/test_rules.py`` runs every example of every rule found here.

The :class:`~dlp.policy.transfer.TransferContext` (frozen) carries the phase (``presend``: a message
before it leaves; ``scan``: an item already shared, judged once per recipient), the recipients with
their kinds (:mod:`dlp.policy.recipients`), the pieces (message, attachments, members, or the one shared
item) with their labels, data categories, PI elements, readability and encryption, today's date, the
authorizations, the students (None at scan time) and the subject count; derived facts (``labels``,
``categories``, ``outside``, ``coverage`` by authorizations, ``where``) are its properties.

The pre-send check (:class:`dlp.presend.check.PresendChecker`) and the scan's exposure judgement
(:mod:`dlp.policy.exposure`) only build contexts and run :func:`dlp.policy.transfer.evaluate`; a new rule
is a new module here with its examples, and nothing else changes.
"""
