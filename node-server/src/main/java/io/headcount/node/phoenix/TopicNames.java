package io.headcount.node.phoenix;

import java.util.regex.Pattern;

/**
 * Which topic names a socket may join: {@code namespace:id} in plain ASCII, at most 256 characters,
 * checked before any lookup or allocation so that junk names never reach the tracker or the metrics.
 */
public final class TopicNames {

    public static final int MAX_LENGTH = 256;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_\\-]{1,64}:[A-Za-z0-9_\\-.:@]{1,191}");

    private TopicNames() {
    }

    public static boolean isValid(String topic) {
        return topic.length() <= MAX_LENGTH && VALID.matcher(topic).matches();
    }
}
