package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class MainTest {

    private static String[] runCapturing(int[] exit, String... args) {
        StringWriter err = new StringWriter();
        exit[0] = Main.run(args, new PrintWriter(err, true));
        return err.toString().lines().toArray(String[]::new);
    }

    @Test
    void run_badOptionValue_printsOneLineAndExits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--port", "nope");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines)
                .containsExactly("tandem-server: Invalid value for option '--port': 'nope' is not an int (see --help)");
    }

    @Test
    void run_unknownOption_exits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--nope");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines).hasSize(1);
        assertThat(lines[0]).startsWith("tandem-server: Unknown option: '--nope'");
    }

    @Test
    void run_portInUse_printsOneLineAndExits2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int[] exit = new int[1];
            String[] lines = runCapturing(exit, "--port", String.valueOf(taken.getLocalPort()));
            assertThat(exit[0]).isEqualTo(2);
            assertThat(lines).hasSize(1);
            assertThat(lines[0]).contains("Address already in use");
        }
    }
}
