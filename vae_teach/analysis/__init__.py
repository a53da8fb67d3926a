"""Measurements on models and codes: PCA, codes and holes, paths, probes, bounds by quadrature, estimators."""
