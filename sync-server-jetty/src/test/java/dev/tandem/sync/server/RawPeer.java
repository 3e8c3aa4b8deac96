package dev.tandem.sync.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hostile peer on a raw TCP socket bound to a chosen loopback address ({@code 127.0.0.x}, so that one test can
 * play many client addresses): it writes HTTP requests or WebSocket frames exactly as told and reads only what it
 * must. Not thread-safe.
 */
final class RawPeer implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;

    private RawPeer(String localAddress, int port, Duration timeout) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.setSoTimeout((int) timeout.toMillis());
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Opens a plain TCP connection from {@code localAddress} to the server's port. */
    static RawPeer connect(String localAddress, int port) throws IOException {
        return new RawPeer(localAddress, port, Duration.ofSeconds(10));
    }

    /**
     * Opens a WebSocket from {@code localAddress}: writes the upgrade request and reads the response head.
     * Returns the status line ({@code HTTP/1.1 101 …} when upgraded).
     */
    String upgrade(String path) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return readHead();
    }

    /** Writes ASCII text (an HTTP request head, a slice of a body). */
    void write(String ascii) throws IOException {
        out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Writes raw bytes. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes one final WebSocket text frame. */
    void sendText(String text) throws IOException {
        write(RawWebSocket.textFrame(text));
    }

    /** Reads an HTTP response head and returns its status line. */
    String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 8192 && !head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            head.append((char) b);
        }
        int eol = head.indexOf("\r\n");
        return eol < 0 ? head.toString() : head.substring(0, eol);
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket the server may already have reset
        }
    }
}
