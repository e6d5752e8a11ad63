"""Pieces shared by test modules: result and mail sinks, free ports and the network guard, bounded waits.

Test modules import from here rather than from each other, so that a test module holds tests only.
"""
