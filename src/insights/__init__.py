"""insights: tested cleaning, metric and statistics functions for influencer-marketing claims.

Importing the package has no side effects: nothing is printed, logged, downloaded or styled.
"""

__version__ = "0.1.0"
