"""The values of a viewshed's ``visible`` flag, and the nodata of a count, defined once for the kernels, writers,
maps and reports."""

#: The cell is seen from the observer.
VISIBLE = 1
#: The cell is analysed and hidden (dead ground).
HIDDEN = 0
#: The cell is not analysed: a void, outside the distance ring, the azimuth sector or the pitch window.
NOT_ANALYSED = 255

#: A cumulative ``count`` cell that no observer analysed, in files (GeoTIFF nodata, NetCDF ``_FillValue``): kept
#: apart from 0, dead ground (analysed, seen by none).
COUNT_NOT_ANALYSED = 65535
