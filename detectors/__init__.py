"""Presidio recognizers for the district's personal information, one entity per module.

Each module declares one or more subclasses of :class:`detectors.base.DistrictPatternRecognizer`
with their own positive and negative examples; :func:`detectors.base.load_recognizers` finds and
builds them all, and :func:`detectors.base.replaced_recognizers` names the Presidio predefined
recognizers that they supersede.
"""
