package io.headcount.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jgroups.conf.XmlConfigurator;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests and the Compose file, read and checked against each other and against the
 * node: names and selectors that must match, probes on the node's endpoints, a grace period that
 * covers the drain, JVM memory that fits the limit, and a JGroups stack that JGroups accepts.
 */
class DeployManifestsIT {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    final Path deploy = ItEnvironment.repoRoot().resolve("deploy");

    /** Every document of every manifest, by kind and name. */
    Map<String, JsonNode> manifests() throws Exception {
        Map<String, JsonNode> byKindAndName = new HashMap<>();
        try (Stream<Path> files = Files.list(deploy.resolve("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
                    String key = doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText();
                    assertTrue(byKindAndName.put(key, doc) == null, "duplicate " + key);
                }
            }
        }
        return byKindAndName;
    }

    static JsonNode get(Map<String, JsonNode> m, String key) {
        JsonNode n = m.get(key);
        assertNotNull(n, key + " is missing from deploy/k8s");
        return n;
    }

    static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.has("value") ? e.get("value").asText() : "<from " + e.path("valueFrom").fieldNames().next() + ">";
            }
        }
        return null;
    }

    @Test
    void kubernetesManifestsReferToEachOtherAndFitTheNode() throws Exception {
        Map<String, JsonNode> m = manifests();
        JsonNode sts = get(m, "StatefulSet/headcount");
        JsonNode pod = sts.at("/spec/template");
        JsonNode labels = pod.at("/metadata/labels");
        assertEquals(sts.at("/spec/selector/matchLabels"), labels, "the StatefulSet selects its own pods");

        JsonNode headless = get(m, "Service/" + sts.at("/spec/serviceName").asText());
        assertEquals("None", headless.at("/spec/clusterIP").asText(), "the governing Service is headless");
        assertTrue(headless.at("/spec/publishNotReadyAddresses").asBoolean(), "DNS_PING must see pods before they are ready");
        assertEquals(labels, headless.at("/spec/selector"));
        JsonNode client = get(m, "Service/headcount");
        assertEquals(labels, client.at("/spec/selector"));
        assertEquals(labels, get(m, "PodDisruptionBudget/headcount").at("/spec/selector/matchLabels"));

        JsonNode container = pod.at("/spec/containers/0");
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertEquals(4000, ports.get("http"));
        assertEquals(7800, ports.get("jgroups"));
        assertEquals(7800 + 100, ports.get("jgroups-fd"), "failure detection listens on the cluster port + 100");
        for (JsonNode p : headless.at("/spec/ports")) {
            assertTrue(ports.containsKey(p.path("targetPort").asText()), "headless port " + p);
        }
        for (JsonNode p : client.at("/spec/ports")) {
            assertTrue(ports.containsKey(p.path("targetPort").asText()), "client port " + p);
        }
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText());
        assertTrue(ports.containsKey(container.at("/readinessProbe/httpGet/port").asText()));
        assertTrue(ports.containsKey(container.at("/livenessProbe/httpGet/port").asText()));

        String discovery = env(container, "HEADCOUNT_DISCOVERY");
        assertTrue(discovery.startsWith("dns:" + headless.at("/metadata/name").asText() + "."), discovery);
        String stack = env(container, "HEADCOUNT_JGROUPS_STACK");
        JsonNode volume = pod.at("/spec/volumes/0");
        JsonNode mount = container.at("/volumeMounts/0");
        assertEquals(volume.path("name").asText(), mount.path("name").asText());
        assertTrue(stack.startsWith(mount.path("mountPath").asText() + "/"), stack);
        JsonNode configMap = get(m, "ConfigMap/" + volume.at("/configMap/name").asText());
        String xml = configMap.at("/data/" + stack.substring(stack.lastIndexOf('/') + 1)).asText();
        assertTrue(xml.contains("${headcount.discovery}") && xml.contains("${headcount.bind_addr"), "placeholders kept");
        String rendered = xml.replaceAll("\\$\\{headcount\\.discovery}", "<dns.DNS_PING dns_query=\"x\"/>")
                .replaceAll("\\$\\{headcount\\.[a-z_]+(:([^}]*))?}", "$2").replace("bind_port=\"\"", "bind_port=\"7800\"");
        assertTrue(XmlConfigurator.getInstance(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
                .getProtocolStack().size() > 10, "JGroups reads the Kubernetes stack");

        JsonNode secretRef = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("HEADCOUNT_SECRET")) {
                secretRef = e.at("/valueFrom/secretKeyRef");
            }
        }
        assertNotNull(secretRef);
        assertTrue(get(m, "Secret/" + secretRef.path("name").asText()).at("/stringData").has(secretRef.path("key").asText()));

        // SIGTERM comes after preStop; the drain must finish well within the grace period
        long grace = pod.at("/spec/terminationGracePeriodSeconds").asLong();
        long preStop = container.at("/lifecycle/preStop/sleep/seconds").asLong();
        long drain = Long.parseLong(env(container, "HEADCOUNT_DRAIN_PERIOD").replace("s", ""));
        assertTrue(preStop + drain + 5 <= grace, "grace " + grace + " s < preStop " + preStop + " + drain " + drain + " + 5");

        long limit = mebibytes(container.at("/resources/limits/memory").asText());
        assertEquals(limit, mebibytes(container.at("/resources/requests/memory").asText()), "memory request = limit");
        String jvm = env(container, "JAVA_TOOL_OPTIONS");
        long jvmMb = option(jvm, "-Xmx") + option(jvm, "-XX:MaxDirectMemorySize=") + option(jvm, "-XX:MaxMetaspaceSize=");
        assertTrue(jvmMb + 64 <= limit, "heap+direct+metaspace " + jvmMb + " MiB + 64 MiB for threads and code > " + limit);
    }

    @Test
    void theComposeFileWiresNodesDiscoveryAndTheLoadBalancer() throws Exception {
        JsonNode compose = YAML.readTree(deploy.resolve("docker-compose.yml").toFile());
        JsonNode node = compose.at("/services/node");
        assertEquals("dns:node", node.at("/environment/HEADCOUNT_DISCOVERY").asText(), "members found by the service name");
        JsonNode lb = compose.at("/services/lb");
        String mount = lb.at("/volumes/0").asText();
        Path config = deploy.resolve(mount.substring(0, mount.indexOf(':')));
        assertTrue(Files.isRegularFile(config), config + " exists");
        String haproxy = Files.readString(config);
        assertTrue(haproxy.contains("server-template node ") && haproxy.contains("node:4000"), "backends by the service name");
        assertTrue(haproxy.contains("GET /readyz"), "clients only to ready nodes");
        List<String> lbPorts = new ArrayList<>();
        lb.path("ports").forEach(p -> lbPorts.add(p.asText()));
        assertTrue(lbPorts.get(0).endsWith(":4000") && haproxy.contains("bind :4000"));
        long stopGrace = Long.parseLong(node.path("stop_grace_period").asText().replace("s", ""));
        long drain = Long.parseLong(node.at("/environment/HEADCOUNT_DRAIN_PERIOD").asText().replace("s", ""));
        assertTrue(drain + 5 <= stopGrace, "docker stop waits for the drain");
    }

    private static long mebibytes(String quantity) {
        Matcher mi = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertTrue(mi.matches(), quantity);
        return Long.parseLong(mi.group(1)) * (mi.group(2).equals("Gi") ? 1024 : 1);
    }

    private static long option(String options, String prefix) {
        Matcher mo = Pattern.compile(Pattern.quote(prefix) + "(\\d+)([mg])").matcher(options);
        assertTrue(mo.find(), prefix + " in " + options);
        return Long.parseLong(mo.group(1)) * (mo.group(2).equals("g") ? 1024 : 1);
    }
}
