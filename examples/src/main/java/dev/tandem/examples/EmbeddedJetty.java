package dev.tandem.examples;

import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.server.TandemHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Tandem's WebSocket routes mounted in an existing Jetty 12 application: {@link TandemHandler} answers {@code
 * /connect/{roomId}}, {@code /r/{roomId}} and {@code /ro/{roomId}} and passes every other request to the
 * application's own handler, which it wraps.
 *
 * <pre>
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.tandem.examples.EmbeddedJetty -Dexec.args=8080
 * </pre>
 */
public final class EmbeddedJetty {
    private EmbeddedJetty() {}

    /** The application's own handler: here, one page at {@code /hello}. */
    static final class AppHandler extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!Request.getPathInContext(request).equals("/hello")) {
                return false; // Jetty answers 404
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
            Content.Sink.write(response, true, "hello from the app\n", callback);
            return true;
        }
    }

    /** Builds the application's server with Tandem mounted in front of the app's handler. */
    static Server server(int port, RoomManager rooms) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        TandemHandler tandem = TandemHandler.create(server, rooms);
        tandem.setHandler(new AppHandler());
        server.setHandler(tandem);
        return server;
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        try (RoomManager rooms = RoomManager.create(RoomOptions.builder().build())) {
            Server server = server(port, rooms);
            server.start();
            int bound = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            System.out.println("app page: http://127.0.0.1:" + bound + "/hello");
            System.out.println("tldraw clients: ws://127.0.0.1:" + bound + "/connect/{roomId}");
            System.out.println("press Ctrl-C to stop");
            server.join();
        }
    }
}
