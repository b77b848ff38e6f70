package org.civiccredit.kit.outbox;

import io.quarkus.oidc.client.runtime.AbstractTokensProducer;
import jakarta.inject.Singleton;

/** This service's own access token (client credentials), cached and refreshed before it expires. */
@Singleton
public class ServiceTokens extends AbstractTokensProducer {
}
