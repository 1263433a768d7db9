package io.headcount.it;

import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * One node in a container with two networks: {@code front}, where clients and the load balancer reach
 * its HTTP port (alias {@code node}), and {@code cluster}, where JGroups runs (alias {@code member},
 * a fixed address so that a partition can be healed by reconnecting it). Cutting the cluster network
 * partitions the node without cutting off its clients.
 */
final class NodeContainer extends GenericContainer<NodeContainer> {

    static final String SECRET = "chaos-suite-secret-0123456789";

    final String name;
    private final ChaosNetworks networks;
    private final String clusterIp;

    NodeContainer(ChaosNetworks networks, String name, int index) {
        super(DockerImageName.parse(ChaosNetworks.IMAGE));
        this.name = name;
        this.networks = networks;
        this.clusterIp = networks.clusterAddress(index);
        withNetwork(networks.front());
        withNetworkAliases("node", name);
        withEnv(Map.of(
                "HEADCOUNT_NODE_NAME", name,
                "HEADCOUNT_BIND", ChaosNetworks.CLUSTER_SUBNET,
                "HEADCOUNT_DISCOVERY", "dns:member",
                "HEADCOUNT_SECRET", SECRET,
                "HEADCOUNT_DRAIN_PERIOD", "2s",
                "JAVA_TOOL_OPTIONS", "-Xmx128m -XX:+UseSerialGC"));
        withExposedPorts(4000);
        waitingFor(Wait.forHttp("/readyz").forPort(4000).forStatusCode(200).withStartupTimeout(Duration.ofSeconds(90)));
    }

    @Override
    protected void containerIsCreated(String containerId) {
        connectCluster();
    }

    /** Joins the cluster network at this node's fixed address. */
    void connectCluster() {
        getDockerClient().connectToNetworkCmd().withNetworkId(networks.clusterId()).withContainerId(getContainerId())
                .withContainerNetwork(new ContainerNetwork().withAliases("member", name)
                        .withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(clusterIp)))
                .exec();
    }

    /** {@code docker network disconnect}: the node is cut off from its peers, not from its clients. */
    void disconnectCluster() {
        getDockerClient().disconnectFromNetworkCmd().withNetworkId(networks.clusterId())
                .withContainerId(getContainerId()).withForce(true).exec();
    }

    /** {@code docker kill}: SIGKILL, no goodbye. */
    void kill() {
        getDockerClient().killContainerCmd(getContainerId()).exec();
    }

    /** {@code docker restart}: SIGTERM (the node drains), then a new start in the same container. */
    void restart() {
        getDockerClient().restartContainerCmd(getContainerId()).withTimeout(20).exec();
    }

    /** The host port of the node's HTTP port now (it may change when the container restarts). */
    int httpPort() {
        Ports.Binding[] b = getDockerClient().inspectContainerCmd(getContainerId()).exec().getNetworkSettings().getPorts()
                .getBindings().get(ExposedPort.tcp(4000));
        return b == null || b.length == 0 ? -1 : Integer.parseInt(b[0].getHostPortSpec());
    }

    String url() {
        return "http://localhost:" + httpPort();
    }

    String socketUrl() {
        return "ws://localhost:" + httpPort() + "/socket";
    }
}
