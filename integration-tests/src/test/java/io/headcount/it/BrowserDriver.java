package io.headcount.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium, driven by {@code src/test/js/browser-driver.mjs} through playwright-core: one
 * command at a time, each answered before the next. Every tab shares one browser profile, as tabs of
 * one browser do; {@code sessionStorage} (where the demo page keeps its token) is still per tab.
 */
final class BrowserDriver implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Beyond a command's own timeout: time for the driver to answer. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private final Process process;
    private final PrintWriter commands;
    private final Map<Long, JsonNode> answers = new HashMap<>();
    private long seq;

    BrowserDriver(Path logDir) throws IOException, InterruptedException {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException("no Chromium at " + CHROMIUM + ": apt-get install chromium (.ci/run does)");
        }
        Path dir = PhoenixDriver.install();
        ProcessBuilder pb = new ProcessBuilder("node", "browser-driver.mjs").directory(dir.toFile())
                .redirectError(logDir.resolve("browser-stderr.log").toFile());
        pb.environment().put("CHROMIUM", CHROMIUM.toString());
        process = pb.start();
        commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(this::readAnswers, "browser-driver-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            answer(0, Duration.ofSeconds(60)); // the browser is up
        } catch (AssertionError | InterruptedException e) {
            close(); // no one else holds this driver yet
            throw e;
        }
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode j = JSON.readTree(line);
                synchronized (answers) {
                    answers.put(j.path("seq").asLong(), j);
                    answers.notifyAll();
                }
            }
        } catch (IOException e) {
            // the driver exited
        } finally {
            synchronized (answers) {
                answers.put(-1L, JSON.createObjectNode()); // wakes waiters: nothing more will come
                answers.notifyAll();
            }
        }
    }

    private JsonNode answer(long n, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (answers) {
            while (!answers.containsKey(n)) {
                long left = deadline - System.nanoTime();
                if (answers.containsKey(-1L) || left <= 0) {
                    throw new AssertionError("the browser driver gave no answer to command " + n + " within " + max
                            + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
                }
                TimeUnit.NANOSECONDS.timedWait(answers, left);
            }
            JsonNode a = answers.remove(n);
            if (!a.path("ok").asBoolean()) {
                throw new AssertionError("browser: " + a.path("error").asText());
            }
            return a.path("value");
        }
    }

    private JsonNode call(ObjectNode command, Duration timeout) throws InterruptedException {
        long n = ++seq;
        command.put("seq", n);
        commands.println(command.toString());
        return answer(n, timeout.plus(SLACK));
    }

    private ObjectNode command(String cmd, String tab) {
        return JSON.createObjectNode().put("cmd", cmd).put("id", tab);
    }

    void open(String tab, String url) throws InterruptedException {
        call(command("open", tab).put("url", url), Duration.ZERO);
    }

    void fill(String tab, String selector, String value) throws InterruptedException {
        call(command("fill", tab).put("selector", selector).put("value", value), Duration.ZERO);
    }

    void click(String tab, String selector) throws InterruptedException {
        call(command("click", tab).put("selector", selector), Duration.ZERO);
    }

    /** Waits until the JS expression is true in the tab; fails with {@code what} after {@code max}. */
    void waitFor(String tab, String js, Duration max, String what) throws InterruptedException {
        try {
            call(command("waitFor", tab).put("js", js).put("timeoutMs", max.toMillis()), max);
        } catch (AssertionError e) {
            throw new AssertionError(what + " not seen in " + tab + " within " + max + ": " + e.getMessage(), e);
        }
    }

    JsonNode eval(String tab, String js) throws InterruptedException {
        return call(command("eval", tab).put("js", js), Duration.ZERO);
    }

    void screenshot(String tab, Path file) throws InterruptedException {
        call(command("screenshot", tab).put("path", file.toAbsolutePath().toString()), Duration.ofSeconds(30));
    }

    void close(String tab) throws InterruptedException {
        call(command("close", tab), Duration.ZERO);
    }

    /** Console errors and warnings, page errors and failed requests (sockets aside) of every tab so far. */
    JsonNode problems() throws InterruptedException {
        return call(JSON.createObjectNode().put("cmd", "problems"), Duration.ZERO);
    }

    @Override
    public void close() {
        List<ProcessHandle> chromium = process.descendants().toList();
        try {
            commands.println("{\"cmd\":\"quit\"}");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // Chromium's processes are the driver's children; none may outlive it, even if it hung
        chromium.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
