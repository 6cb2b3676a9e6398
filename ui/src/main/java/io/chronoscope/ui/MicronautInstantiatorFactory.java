package io.chronoscope.ui;

import com.vaadin.flow.di.Instantiator;
import com.vaadin.flow.di.InstantiatorFactory;
import com.vaadin.flow.server.VaadinService;
import io.micronaut.context.ApplicationContext;

/**
 * Hands Vaadin an instantiator backed by the Micronaut context that {@link UiServer} put into the
 * servlet context; without one (a plain servlet container) Vaadin keeps its default.
 * Registered in META-INF/services and found by Vaadin's lookup.
 */
public final class MicronautInstantiatorFactory implements InstantiatorFactory {

  @Override
  public Instantiator createInstantitor(VaadinService service) {
    // Stored under the class name (UiServer.BEANS_ATTRIBUTE), which is how VaadinContext looks up.
    ApplicationContext beans = service.getContext().getAttribute(ApplicationContext.class);
    return beans == null ? null : new MicronautInstantiator(service, beans);
  }
}
