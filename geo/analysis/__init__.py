"""Spatial analysis on joined layers: weights, autocorrelation, disparity, gradients, clusters, spillover."""
