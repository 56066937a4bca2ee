"""Statistics: the published methods (intervals, comparisons, trends, statistical process
control) and the statistics of every row of the indicator table."""
