"""The values of a viewshed's ``visible`` flag, defined once for the kernels, writers, maps and reports."""

#: The cell is seen from the observer.
VISIBLE = 1
#: The cell is analysed and hidden (dead ground).
HIDDEN = 0
#: The cell is not analysed: a void, outside the distance ring, the azimuth sector or the pitch window.
NOT_ANALYSED = 255
