package io.chronoscope.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.di.DefaultInstantiator;
import com.vaadin.flow.server.VaadinService;
import io.micronaut.context.BeanContext;

/**
 * Creates route targets and components as Micronaut beans when the context defines them (views
 * are {@code @Prototype} with constructor injection), and the Vaadin way otherwise.
 */
final class MicronautInstantiator extends DefaultInstantiator {
  private final BeanContext beans;

  MicronautInstantiator(VaadinService service, BeanContext beans) {
    super(service);
    this.beans = beans;
  }

  @Override
  public <T> T getOrCreate(Class<T> type) {
    return beans.containsBean(type) ? beans.getBean(type) : super.getOrCreate(type);
  }

  @Override
  public <T extends Component> T createComponent(Class<T> componentClass) {
    return beans.containsBean(componentClass)
        ? beans.getBean(componentClass)
        : super.createComponent(componentClass);
  }
}
