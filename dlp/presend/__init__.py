"""Pre-send checks of outbound transfers: is there PI, to whom, encrypted, and under which authorization."""
