package io.headcount.node.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The demo page, the dashboard and their assets, read from {@code web/} on the class path: the
 * node's own pages and scripts, the front-end binding of {@code clients/js}, and the third-party
 * assets the build fetched from the npm registry ({@code web/vendor}). A file is read once and kept;
 * a name that is not a plain relative path to a file of a known type is never looked up.
 */
final class StaticFiles {

    private static final String ROOT = "web/";
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "md", "text/plain; charset=utf-8");

    /** A file's content type and bytes. */
    record File(String contentType, byte[] body) {
    }

    private final ClassLoader loader = StaticFiles.class.getClassLoader();
    private final Map<String, File> read = new ConcurrentHashMap<>();

    /** The file at {@code name} under {@code web/}, if there is one of a type served. */
    Optional<File> find(String name) {
        String type = typeOf(name);
        if (type == null || !SAFE_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        File cached = read.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return Optional.empty(); // misses are not kept: a scan of random names cannot grow the map
            }
            File file = new File(type, in.readAllBytes());
            read.put(name, file);
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + name + " from the class path", e);
        }
    }

    private static String typeOf(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        if (last.equals("LICENSE")) {
            return "text/plain; charset=utf-8";
        }
        int dot = last.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(last.substring(dot + 1));
    }
}
