import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { ModelClass } from './strict-schema-validation.ts';

// The schema of every kind infra/kubernetes uses, from the npm registry's kubernetes-models family (MIT): validators
// generated from the Kubernetes OpenAPI document (kubernetes-models) and from the CRDs' OpenAPI schemas
// (@kubernetes-models/keda, @kubernetes-models/prometheus-operator). A kind not listed here fails the test that
// validates the manifests: add its model when adding the kind.
const MODELS: readonly ModelClass[] = [Namespace, ConfigMap, Secret, Service, Deployment, PodDisruptionBudget, NetworkPolicy, Ingress, ScaledObject, TriggerAuthentication, ServiceMonitor, PrometheusRule];

export const MODEL_BY_TYPE: ReadonlyMap<string, ModelClass> = new Map(MODELS.map((model) => [`${model.apiVersion} ${model.kind}`, model]));
