package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopbackTest {

    @Test
    void acceptsLoopbackHostsAndUrls() {
        assertThat(Loopback.require("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(Loopback.require("localhost")).isEqualTo("localhost");
        assertThat(Loopback.require("[::1]")).isEqualTo("[::1]");
        assertThat(Loopback.requireUrl("http://127.0.0.1:8180/realms/civic-credit")).startsWith("http://");
        assertThat(Loopback.requireJdbc("jdbc:postgresql://127.0.0.1:5432/civic_scoring")).endsWith("civic_scoring");
    }

    @Test
    void refusesEveryOtherAddress() {
        for (String host : new String[] {"10.0.0.5", "192.168.1.10", "172.16.0.1", "8.8.8.8", "0.0.0.0"}) {
            assertThatThrownBy(() -> Loopback.require(host)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a loopback address");
        }
        assertThatThrownBy(() -> Loopback.requireUrl("http://10.1.2.3:8180/realms/x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Loopback.requireJdbc("jdbc:postgresql://192.168.0.2:5432/db"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Loopback.require("")).isInstanceOf(IllegalArgumentException.class);
    }
}
