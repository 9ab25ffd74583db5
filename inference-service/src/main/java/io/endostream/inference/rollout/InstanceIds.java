package io.endostream.inference.rollout;

import java.net.InetAddress;

/** Instance ids: host name and process id, unique per running process (e.g. {@code inference-host1-4242}). */
public final class InstanceIds {

    private InstanceIds() {
    }

    public static String generate() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return "inference-" + host + "-" + ProcessHandle.current().pid();
    }
}
