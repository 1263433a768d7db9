package io.headcount.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.node.auth.TokenService;
import io.headcount.node.config.NodeSettings;
import io.headcount.node.config.PushMode;
import io.headcount.node.phoenix.TopicPolicy;
import io.headcount.tracker.crdt.CountingMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    static NodeSettings parse(String... args) throws Exception {
        return Main.parseSettings(args);
    }

    @Test
    void noSettingsAtAllMakeAClusterOfOneOnLocalhost4000() throws Exception {
        NodeSettings s = parse();
        assertEquals("127.0.0.1", s.bind().address().getHostAddress());
        assertEquals(4000, s.httpPort());
        assertEquals(7800, s.clusterPort());
        assertEquals(List.of(new InetSocketAddress(s.bind().address(), 7800)), s.seeds());
        assertTrue(s.developmentSecret());
        assertEquals(Duration.ofMillis(50), s.sockets().pushWindow());
        assertEquals(Duration.ofSeconds(60), s.sockets().idleTimeout());
        assertEquals(CountingMode.CONNECTIONS, s.tracker().countingMode());
        assertEquals(PushMode.DIFF, s.sockets().pushMode());
        assertEquals(TopicPolicy.Verdict.ALLOWED, s.sockets().topics().check("anything:1"));
        assertTrue(s.nodeName().endsWith("-4000"));
    }

    @Test
    void flagsAreRead() throws Exception {
        NodeSettings s = parse("--node-name", "n2", "--http-port", "4002", "--cluster-port", "7801",
                "--cluster-hosts", "127.0.0.1[7800],127.0.0.1[7801]", "--secret", "new-secret-0123456789,old-secret-0123456789",
                "--users", "distinct", "--push-window", "0ms", "--permdown-period", "10m", "--push-mode", "state",
                "--topics", "video:*,lobby:main", "--join-rate", "5", "--write-buffer", "8192",
                "--slow-reader-timeout", "2s");
        assertEquals("n2", s.nodeName());
        assertEquals(2, s.seeds().size());
        assertEquals("127.0.0.1", s.seeds().get(0).getHostString());
        assertEquals(List.of("new-secret-0123456789", "old-secret-0123456789"), s.secrets());
        assertFalse(s.developmentSecret());
        assertEquals(CountingMode.DISTINCT, s.tracker().countingMode());
        assertEquals(Duration.ZERO, s.sockets().pushWindow());
        assertEquals(Duration.ofMinutes(10), s.tracker().permdownPeriod());
        assertEquals(PushMode.STATE, s.sockets().pushMode());
        assertEquals(TopicPolicy.Verdict.ALLOWED, s.sockets().topics().check("video:42"));
        assertEquals(TopicPolicy.Verdict.ALLOWED, s.sockets().topics().check("lobby:main"));
        assertEquals(TopicPolicy.Verdict.NOT_SERVED, s.sockets().topics().check("lobby:other"));
        assertEquals(TopicPolicy.Verdict.INVALID, s.sockets().topics().check("video:../../admin"));
        assertEquals(5, s.sockets().joinsPerSecond());
        assertEquals(8192, s.sockets().writeBufferBytes());
        assertEquals(Duration.ofSeconds(2), s.sockets().slowReaderTimeout());
    }

    @Test
    void badSettingsAreRefusedWithTheRuleTheyBreak() {
        assertEquals("HTTP port and cluster port must differ, both were 7800",
                assertThrows(IllegalArgumentException.class, () -> parse("--http-port", "7800")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--cluster-hosts", "localhost:7800"))
                .getMessage().contains("host[port]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--push-window", "soon"))
                .getMessage().contains("not a duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--users", "everyone"))
                .getMessage().contains("'connections' or 'distinct'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--permdown-period", "1s"))
                .getMessage().contains("permdown period"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--topics", "video:*,admin/*"))
                .getMessage().contains("topic pattern 'admin/*'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--push-mode", "full"))
                .getMessage().contains("'diff' or 'state'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--join-rate", "0"))
                .getMessage().contains("join rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--write-buffer", "100"))
                .getMessage().contains("write buffer"));
        assertEquals("a token secret must be at least 16 bytes long",
                assertThrows(IllegalArgumentException.class, () -> parse("--secret", "short")).getMessage());
    }

    @Test
    void bindAddressesDiscoveryAndTheClusterGateAreReadAndChecked() throws Exception {
        NodeSettings s = parse("--bind", "127.0.0.0/8", "--http-bind", "0.0.0.0", "--min-members", "2");
        assertEquals("127.0.0.1", s.bind().address().getHostAddress());
        assertTrue(s.bind().reason().contains("127.0.0.0/8"));
        assertTrue(s.httpBind().isAnyLocalAddress());
        assertEquals(2, s.minMembers());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--bind", "10.253.0.0/16"))
                .getMessage().contains("no local address is in 10.253.0.0/16"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--bind", "10.0.0.0/40"))
                .getMessage().contains("a.b.c.d/n"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--discovery", "dns:node"))
                .getMessage().contains("could never reach this node"), "loopback with DNS discovery");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--cluster-hosts", "10.1.2.3[7800]"))
                .getMessage().contains("could never reach this node"), "loopback with a remote seed");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--discovery", "multicast"))
                .getMessage().contains("'static' or 'dns:NAME'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--jgroups-stack", "/nonexistent.xml"))
                .getMessage().contains("not a readable file"));
    }

    @Test
    void theTokenCommandPrintsOnlyAVerifiableToken() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute("token", "--user", "42", "--ttl", "2h",
                    "--secret", "token-test-secret-0123456789");
        } finally {
            System.setOut(original);
        }
        assertEquals(0, code);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.endsWith("\n") && printed.trim().lines().count() == 1, printed);
        assertEquals(Optional.of("42"), new TokenService(List.of("token-test-secret-0123456789"))
                .verify(printed.trim(), Instant.now().plus(Duration.ofMinutes(119))));
    }

    @Test
    void helpListsEveryFlagItsEnvironmentVariableAndTheTokenCommand() {
        StringWriter help = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(help));
        cli.execute("--help");
        String text = help.toString();
        for (String flag : List.of("--node-name", "--bind", "--http-port", "--cluster-port", "--cluster-hosts", "--secret")) {
            assertTrue(text.contains(flag), flag);
        }
        for (String env : List.of("HEADCOUNT_NODE_NAME", "HEADCOUNT_BIND", "HEADCOUNT_HTTP_PORT", "HEADCOUNT_CLUSTER_PORT",
                "HEADCOUNT_CLUSTER_HOSTS", "HEADCOUNT_SECRET")) {
            assertTrue(text.replaceAll("\\s+", " ").contains(env), env);
        }
        assertTrue(text.contains("token"));
    }
}
