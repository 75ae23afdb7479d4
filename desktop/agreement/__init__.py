"""Agreement between analysts who coded the same articles (issue 18).

:mod:`desktop.agreement.measures` holds the measures (plain Python and
numpy, no Qt, no storage); :mod:`desktop.agreement.report` reads the
codings from a database and computes a whole report.
"""
