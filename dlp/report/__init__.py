"""Reports from the findings store (``dlp report``): one module per report kind.

* :mod:`dlp.report.data`: reading items, runs and person counts from the store;
* :mod:`dlp.report.summary`: the numbers every report shares;
* :mod:`dlp.report.html`: the self-contained HTML report;
* :mod:`dlp.report.tabular`: the item list as CSV or JSON;
* :mod:`dlp.report.breach`: the M.G.L. c. 93H section 3 breach assessment;
* :mod:`dlp.report.retention`: student records past the 603 CMR 23 retention;
* :mod:`dlp.report.commands`: the command line.
"""
