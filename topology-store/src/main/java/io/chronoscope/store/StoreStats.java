package io.chronoscope.store;

/**
 * Size of what a store holds.
 *
 * @param keyframes       complete graphs kept
 * @param deltas          non-empty change sets kept
 * @param storedElements  nodes and edges in all keyframes plus changes in all deltas
 */
public record StoreStats(long keyframes, long deltas, long storedElements) {}
