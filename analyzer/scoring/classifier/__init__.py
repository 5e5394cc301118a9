"""The trained half of waardenscan: a scikit-learn multi-label classifier of value clusters."""
