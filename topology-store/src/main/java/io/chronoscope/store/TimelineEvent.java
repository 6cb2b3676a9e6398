package io.chronoscope.store;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One marker on the timeline.
 *
 * @param id      the event's id, for {@code /api/v1/deploys/{id}}
 * @param at      epoch ms it started
 * @param kind    deploy, rollback, config or scale
 * @param phase   started, progressing, succeeded, failed, cancelled or stuck
 * @param target  what it changed, e.g. {@code prod/payments/deployment/api}
 * @param title   one line for a tooltip, e.g. {@code api 1.4.2 → 1.4.3 (github)}
 * @param verdict healthy, suspect or failed once judged; null before
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TimelineEvent(String id, long at, String kind, String phase, String target, String title,
    String verdict) {}
