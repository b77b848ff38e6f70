package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver's stand-in for autovacuum, on the real PostgreSQL: load-test's own database {@code civic_load_test}
 * (created by scripts/infra.sh), in a schema of its own.
 */
class AutovacuumTest {

    private static final String DB = "jdbc:postgresql://127.0.0.1:5432/civic_load_test";

    private Connection c;

    @BeforeEach
    void table() throws SQLException {
        c = DriverManager.getConnection(DB, "civiccredit", "civiccredit");
        try (Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS autovacuum_test CASCADE");
            s.execute("CREATE SCHEMA autovacuum_test");
            s.execute("CREATE TABLE autovacuum_test.lot (id int PRIMARY KEY, used int NOT NULL)");
            s.execute("INSERT INTO autovacuum_test.lot VALUES (1, 0)");
            s.execute("ANALYZE autovacuum_test.lot");
        }
    }

    @AfterEach
    void drop() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS autovacuum_test CASCADE");
        }
        c.close();
    }

    /**
     * What happens to the services' prepared statements without autovacuum: a generic plan made while the table
     * had one row scans the whole table after it has grown, until the table is analysed.
     */
    @Test
    void aPlanMadeOnANearlyEmptyTableIsReplacedOnceTheGrownTableIsAnalysed() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE used_of(int) AS SELECT used FROM autovacuum_test.lot WHERE id = $1");
            assertThat(plan(s)).contains("Seq Scan");
            s.execute("INSERT INTO autovacuum_test.lot SELECT g, 0 FROM generate_series(2, 20000) g");
            s.execute("UPDATE autovacuum_test.lot SET used = used + 1");
            assertThat(plan(s)).as("no analysis, no new plan").contains("Seq Scan");

            int tables = Autovacuum.vacuumAnalyze(c);

            assertThat(tables).isGreaterThanOrEqualTo(1);
            assertThat(plan(s)).contains("Index Scan using lot_pkey");
            assertThat(Provisioning.single(c,
                    "SELECT reltuples FROM pg_class WHERE oid = 'autovacuum_test.lot'::regclass"))
                    .isEqualTo(20_000);
            assertThat(Provisioning.single(c, """
                    SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = 'autovacuum_test'
                    AND relname = 'lot' AND last_vacuum IS NOT NULL""")).isEqualTo(1);
        }
    }

    private static String plan(Statement s) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (ResultSet r = s.executeQuery("EXPLAIN EXECUTE used_of(42)")) {
            while (r.next()) {
                b.append(r.getString(1)).append('\n');
            }
        }
        return b.toString();
    }
}
