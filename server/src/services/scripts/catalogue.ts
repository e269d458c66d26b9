// The fields a dialogue script may read come from the business-object model:
// `customer.segment` is valid exactly when the Customer entity has a segment.

import { catalogueFromEntities, type FieldCatalogue } from '@tenor/scripts-dsl';
import type { BusinessModel } from '../crm/index.js';

export function catalogueFromModel(model: BusinessModel): FieldCatalogue {
  return catalogueFromEntities(
    Object.fromEntries(model.entities.map((e) => [e.name, { attributes: Object.fromEntries(e.attributes.map((a) => [a.name, { type: a.type }])) }])),
  );
}
