package io.headcount.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network.Ipam;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * The Docker side of the chaos suite: the images, built once per run by {@code deploy/build-image.sh}
 * (the same script operators use), and the two networks of a test cluster.
 */
final class ChaosNetworks implements AutoCloseable {

    static final String TAG = "it";
    static final String IMAGE = "headcount:" + TAG;
    static final String LB_IMAGE = "headcount-haproxy:" + TAG;
    static final String CLUSTER_SUBNET = "10.231.0.0/16";
    private static boolean built;

    private final Network front = Network.newNetwork();
    private final String clusterId;
    private final DockerClient docker = DockerClientFactory.instance().client();

    ChaosNetworks() {
        clusterId = docker.createNetworkCmd().withName("headcount-cluster-" + System.nanoTime())
                .withIpam(new Ipam().withConfig(new Ipam.Config().withSubnet(CLUSTER_SUBNET))).exec().getId();
    }

    static synchronized void buildImages() throws IOException, InterruptedException {
        if (built) {
            return;
        }
        Process p = new ProcessBuilder("bash", ItEnvironment.repoRoot().resolve("deploy/build-image.sh").toString(),
                "--tag", TAG).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("deploy/build-image.sh failed:\n" + out);
        }
        built = true;
    }

    Network front() {
        return front;
    }

    String clusterId() {
        return clusterId;
    }

    /** The fixed address of node {@code index} (1-based) on the cluster network. */
    String clusterAddress(int index) {
        return "10.231.0." + (10 + index);
    }

    @Override
    public void close() {
        try {
            docker.removeNetworkCmd(clusterId).exec();
        } catch (RuntimeException e) {
            // containers still attached are removed by their own close; the network goes with the daemon
        }
        front.close();
    }
}
