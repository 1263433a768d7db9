package io.headcount.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real {@code phoenix} npm client, unchanged, run by Node.js with {@code ws} as its transport,
 * driven through {@code src/test/js/phoenix-driver.mjs}: commands in, events out, one JSON per line.
 */
final class PhoenixDriver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path installed;

    private final Process process;
    private final PrintWriter commands;
    private final List<Event> events = new ArrayList<>();
    private final Writer log;

    /** One event from the driver; {@code t} is epoch milliseconds with sub-millisecond precision. */
    record Event(String ev, String id, String topic, String kind, long viewers, long users, double t, JsonNode raw) {
        boolean isCounts(String socket, String onTopic) {
            return ev.equals("counts") && socket.equals(id) && onTopic.equals(topic);
        }
    }

    /**
     * Installs the drivers' npm packages (phoenix, ws, playwright-core) from the npm registry, once
     * per JVM, into a scratch directory with the driver scripts; returns that directory.
     */
    static synchronized Path install() throws IOException, InterruptedException {
        if (installed != null) {
            return installed;
        }
        Path source = ItEnvironment.repoRoot().resolve("integration-tests/src/test/js");
        Path dir = ItEnvironment.workDir("js-drivers");
        for (String f : List.of("package.json", "package-lock.json", "phoenix-driver.mjs", "browser-driver.mjs")) {
            Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("npm.log").toFile()).start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci failed: " + Files.readString(dir.resolve("npm.log")));
        }
        installed = dir;
        return dir;
    }

    PhoenixDriver(Path logDir) throws IOException, InterruptedException {
        Path dir = install();
        process = new ProcessBuilder("node", "phoenix-driver.mjs").directory(dir.toFile())
                .redirectError(logDir.resolve("driver-stderr.log").toFile()).start();
        commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        log = Files.newBufferedWriter(logDir.resolve("driver-events.log"));
        Thread reader = new Thread(this::readEvents, "phoenix-driver-reader");
        reader.setDaemon(true);
        reader.start();
        awaitEvent(e -> e.ev().equals("ready"), Duration.ofSeconds(30), "driver ready");
    }

    private void readEvents() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode j = JSON.readTree(line);
                Event e = new Event(j.path("ev").asText(), j.path("id").asText(null), j.path("topic").asText(null),
                        j.path("kind").asText(null), j.path("viewers").asLong(), j.path("users").asLong(),
                        j.path("t").asDouble(), j);
                synchronized (events) {
                    events.add(e);
                    log.write(line);
                    log.write('\n');
                    log.flush();
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            // the driver exited
        }
    }

    private void send(ObjectNode command) {
        commands.println(command.toString());
    }

    void open(String id, String url, String token) {
        open(id, url, token, null);
    }

    /** Opens a socket with phoenix.js {@code Socket} options such as {@code {"heartbeatIntervalMs":300}}. */
    void open(String id, String url, String token, ObjectNode options) {
        ObjectNode c = JSON.createObjectNode().put("cmd", "open").put("id", id).put("url", url);
        if (token != null) {
            c.put("token", token);
        }
        if (options != null) {
            c.set("options", options);
        }
        send(c);
    }

    void join(String id, String topic) {
        send(JSON.createObjectNode().put("cmd", "join").put("id", id).put("topic", topic));
    }

    void leave(String id, String topic) {
        send(JSON.createObjectNode().put("cmd", "leave").put("id", id).put("topic", topic));
    }

    void close(String id) {
        send(JSON.createObjectNode().put("cmd", "close").put("id", id));
    }

    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Every counts event of one socket on one topic, in order. */
    List<Event> counts(String id, String topic) {
        return events().stream().filter(e -> e.isCounts(id, topic)).toList();
    }

    /** The counts the socket shows now, or null before its first state. */
    Event latest(String id, String topic) {
        List<Event> c = counts(id, topic);
        return c.isEmpty() ? null : c.get(c.size() - 1);
    }

    /** Waits for the first event matching {@code p}, among all received so far and to come. */
    Event awaitEvent(Predicate<Event> p, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (events) {
            while (true) {
                for (Event e : events) {
                    if (p.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + max);
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /** Waits until the socket's current counts are exactly {@code viewers, users}; returns the event that made them so. */
    Event awaitCounts(String id, String topic, long viewers, long users, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (events) {
            while (true) {
                Event last = latest(id, topic);
                if (last != null && last.viewers() == viewers && last.users() == users) {
                    return last;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(id + " on " + topic + " shows " + (last == null ? "nothing"
                            : "viewers=" + last.viewers() + ", users=" + last.users()) + ", not viewers=" + viewers
                            + ", users=" + users + " within " + max);
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            commands.println("{\"cmd\":\"quit\"}");
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            log.close();
        }
    }
}
