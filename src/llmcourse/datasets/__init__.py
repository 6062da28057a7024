"""Loaders for the small data sets the course ships under data/ (one module per data set).

Each data set is written by a generator in data/generators/ with a fixed seed; data/README.md gives provenance
and licence. Loaders only read.
"""
