# analysis/: ./aero analyze and ./aero sweep (Python, Debian's python3).
DEB_PACKAGES += python3-matplotlib python3-numpy
