package io.headcount.node.phoenix;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which topics a socket may join. A topic is {@code namespace:id} in plain ASCII, at most
 * {@value #MAX_LENGTH} characters, checked before any lookup or allocation so that junk never reaches
 * the tracker, the gossip or the metrics. On top of that, an allow-list of patterns: an exact topic, or
 * a prefix ending in {@code *} ({@code video:*}); {@code *} alone allows every well-formed topic.
 */
public final class TopicPolicy {

    public static final int MAX_LENGTH = 256;
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9_\\-]{1,64}:[A-Za-z0-9_\\-.:@]{1,191}");
    private static final Pattern PATTERN = Pattern.compile("\\*|[A-Za-z0-9_\\-]{1,64}:[A-Za-z0-9_\\-.:@]{0,191}\\*?");

    /** What a join of a topic gets. */
    public enum Verdict { ALLOWED, INVALID, NOT_SERVED }

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();
    private final String text;

    private TopicPolicy(String text) {
        this.text = text;
    }

    /** Parses a comma-separated allow-list such as {@code video:*,live:*,lobby:main}. */
    public static TopicPolicy parse(String list) {
        TopicPolicy policy = new TopicPolicy(list.trim());
        for (String raw : list.split(",")) {
            String p = raw.trim();
            if (!PATTERN.matcher(p).matches()) {
                throw new IllegalArgumentException("topic pattern '" + p + "' must be '*', a topic 'namespace:id' or a "
                        + "prefix ending in '*' such as 'video:*'");
            }
            if (p.endsWith("*")) {
                policy.prefixes.add(p.substring(0, p.length() - 1));
            } else {
                policy.exact.add(p);
            }
        }
        return policy;
    }

    public static TopicPolicy any() {
        return parse("*");
    }

    /** Whether the name is a well-formed topic, whatever the allow-list says. */
    public static boolean isWellFormed(String topic) {
        return topic.length() <= MAX_LENGTH && WELL_FORMED.matcher(topic).matches();
    }

    public Verdict check(String topic) {
        if (!isWellFormed(topic)) {
            return Verdict.INVALID;
        }
        if (exact.contains(topic)) {
            return Verdict.ALLOWED;
        }
        for (String prefix : prefixes) {
            if (topic.startsWith(prefix)) {
                return Verdict.ALLOWED;
            }
        }
        return Verdict.NOT_SERVED;
    }

    @Override
    public String toString() {
        return text;
    }
}
