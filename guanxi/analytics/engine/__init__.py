"""The analytics engine: vectorised numpy/scipy/scikit-learn on arrays, no Django."""
