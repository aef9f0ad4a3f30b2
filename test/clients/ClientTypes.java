// noa's client type test through pgjdbc (Debian libpostgresql-jdbc-java).
//
// Runs every query of test/clients/queries.sql and checks that each column has
// a plain PostgreSQL type (integer, float8, numeric, text, date, boolean), that
// getObject hands back Boolean, Short, Integer, Long, Float, Double,
// BigDecimal, String or java.sql.Date, and that no number is NaN or infinite.
// Run with the single-file launcher:
//     java -cp /usr/share/java/postgresql.jar test/clients/ClientTypes.java [queries.sql]
// Connection from PGHOST, PGPORT, PGDATABASE, PGUSER.  pgjdbc speaks TCP only,
// so when PGHOST is a unix-socket directory the test relays an ephemeral port
// on 127.0.0.1 to that socket for the length of the run.
// Prints one line per query and, last, "pgjdbc: N passed, M failed".

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

public class ClientTypes {
    static final Set<String> PLAIN_TYPES = Set.of("bool", "int2", "int4", "int8", "text", "varchar",
                                                  "float4", "float8", "numeric", "date");
    static final Set<Class<?>> PLAIN_CLASSES = Set.of(Boolean.class, Short.class, Integer.class, Long.class,
            Float.class, Double.class, BigDecimal.class, String.class, java.sql.Date.class);

    /** The (name, sql) pairs of queries.sql, split on its "-- query: NAME" headers. */
    static List<String[]> readQueries(Path path) throws IOException {
        List<String[]> queries = new ArrayList<>();
        String name = null;
        StringBuilder sql = new StringBuilder();
        for (String line : Files.readAllLines(path)) {
            if (line.startsWith("-- query: ")) {
                if (name != null) queries.add(new String[] {name, sql.toString()});
                name = line.substring("-- query: ".length()).trim();
                sql.setLength(0);
            } else if (name != null) {
                sql.append(line).append('\n');
            }
        }
        if (name != null) queries.add(new String[] {name, sql.toString()});
        return queries;
    }

    /** Why a value is not a plain, finite one (null when it is). */
    static String badValue(Object v) {
        if (v == null) return null;
        if (!PLAIN_CLASSES.contains(v.getClass())) return "Java class " + v.getClass().getName();
        if (v instanceof Double && !Double.isFinite((Double) v)) return "double " + v;
        if (v instanceof Float && !Float.isFinite((Float) v)) return "float " + v;
        return null;
    }

    /** Problems of one query's result (at most five); counts its rows into rows[0]. */
    static List<String> checkQuery(Connection conn, String sql, int[] rows) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++)
                if (!PLAIN_TYPES.contains(md.getColumnTypeName(i)))
                    problems.add("column " + md.getColumnLabel(i) + " has type " + md.getColumnTypeName(i));
            while (rs.next()) {
                rows[0]++;
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String why = badValue(rs.getObject(i));
                    if (why != null) problems.add("column " + md.getColumnLabel(i) + ": " + why);
                }
            }
        }
        return problems.size() > 5 ? problems.subList(0, 5) : problems;
    }

    /** Relays connections from an ephemeral 127.0.0.1 port to a unix socket; returns the port. */
    static int relayToUnixSocket(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    SocketChannel tcp = server.accept();
                    SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
                    unix.connect(UnixDomainSocketAddress.of(socket));
                    pump(tcp, unix);
                    pump(unix, tcp);
                }
            } catch (IOException e) {
                // the server socket closes when the test ends
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** Copies bytes from one channel to the other until either end closes. */
    static void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) to.write(buf);
                    buf.clear();
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                try { to.shutdownOutput(); } catch (IOException e) { /* already closed */ }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] args) throws Exception {
        Path queriesFile = Path.of(args.length > 0 ? args[0] : "test/clients/queries.sql");
        String host = System.getenv().getOrDefault("PGHOST", "localhost");
        String port = System.getenv().getOrDefault("PGPORT", "5432");
        String db = System.getenv().getOrDefault("PGDATABASE", "postgres");
        String user = System.getenv().getOrDefault("PGUSER", System.getProperty("user.name"));
        if (host.startsWith("/")) {
            port = String.valueOf(relayToUnixSocket(Path.of(host, ".s.PGSQL." + port)));
            host = "127.0.0.1";
        }
        Properties props = new Properties();
        props.setProperty("user", user);
        if (System.getenv("PGPASSWORD") != null) props.setProperty("password", System.getenv("PGPASSWORD"));
        props.setProperty("sslmode", "disable");
        props.setProperty("readOnly", "true");
        int passed = 0, failed = 0;
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + db, props)) {
            for (String[] q : readQueries(queriesFile)) {
                int[] rows = {0};
                List<String> problems;
                try {
                    problems = checkQuery(conn, q[1], rows);
                } catch (SQLException e) {
                    problems = List.of(e.getSQLState() + " " + e.getMessage().lines().findFirst().orElse(""));
                }
                if (problems.isEmpty() && rows[0] > 0) {
                    passed++;
                    System.out.println("ok pgjdbc " + q[0] + " (" + rows[0] + " rows)");
                } else {
                    failed++;
                    System.out.println("not ok pgjdbc " + q[0] + ": " + (problems.isEmpty() ? "no rows" : String.join("; ", problems)));
                }
            }
        }
        System.out.println("pgjdbc: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
